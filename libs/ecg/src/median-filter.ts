/**
 * Running median of an integer signal over an odd window of `width` samples, the signal's ends
 * repeated as padding. A value histogram with a moving median pointer makes each step O(1)
 * amortised, so a 650,000-sample record takes milliseconds even with wide windows.
 */
export function medianFilter(signal: Int16Array, width: number): Int16Array {
  if (!Number.isInteger(width) || width < 1 || width % 2 === 0) throw new RangeError(`median filter width must be a positive odd integer, got ${width}`);
  const n = signal.length;
  const out = new Int16Array(n);
  if (n === 0) return out;
  const half = (width - 1) / 2;
  const rank = half + 1;
  const shift = 32768;
  const hist = new Int32Array(65536);
  const at = (i: number): number => signal[i < 0 ? 0 : i >= n ? n - 1 : i] + shift;

  for (let j = -half; j <= half; j++) hist[at(j)]++;
  // m: current median bin; le: how many window values are <= m.
  let m = 0;
  let le = hist[0];
  while (le < rank) le += hist[++m];
  out[0] = m - shift;

  for (let i = 1; i < n; i++) {
    const outgoing = at(i - half - 1);
    const incoming = at(i + half);
    hist[outgoing]--;
    if (outgoing <= m) le--;
    hist[incoming]++;
    if (incoming <= m) le++;
    while (le < rank) le += hist[++m];
    while (le - hist[m] >= rank) le -= hist[m--];
    out[i] = m - shift;
  }
  return out;
}

/**
 * Baseline wander removal of de Chazal et al. (2004): a median filter of about 200 ms (removes
 * QRS and P waves) followed by one of about 600 ms (removes T waves) estimates the baseline,
 * which is subtracted from the signal. Widths are rounded to the nearest odd sample count.
 */
export function removeBaseline(signal: Int16Array, samplingFrequency: number, firstMs = 200, secondMs = 600): Int16Array {
  const baseline = medianFilter(medianFilter(signal, oddWidth(firstMs, samplingFrequency)), oddWidth(secondMs, samplingFrequency));
  const out = new Int16Array(signal.length);
  for (let i = 0; i < signal.length; i++) out[i] = signal[i] - baseline[i];
  return out;
}

function oddWidth(ms: number, fs: number): number {
  const w = Math.round((ms / 1000) * fs);
  return w % 2 === 1 ? w : w + 1;
}
