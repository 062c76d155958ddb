export function mean(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Sample standard deviation (n - 1); 0 for a single value. */
export function std(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  let s = 0;
  for (const x of xs) s += (x - m) * (x - m);
  return Math.sqrt(s / (xs.length - 1));
}

/** Average ranks (1-based), ties get the mean of their positions. */
export function ranks(xs: readonly number[]): number[] {
  const order = xs.map((_, i) => i).sort((a, b) => xs[a] - xs[b]);
  const r = new Array<number>(xs.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && xs[order[j + 1]] === xs[order[i]]) j++;
    const avg = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) r[order[k]] = avg;
    i = j + 1;
  }
  return r;
}

export function pearson(a: readonly number[], b: readonly number[]): number {
  const ma = mean(a);
  const mb = mean(b);
  let num = 0;
  let da = 0;
  let db = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - ma) * (b[i] - mb);
    da += (a[i] - ma) ** 2;
    db += (b[i] - mb) ** 2;
  }
  return da === 0 || db === 0 ? 0 : num / Math.sqrt(da * db);
}

export function spearman(a: readonly number[], b: readonly number[]): number {
  return pearson(ranks(a), ranks(b));
}

/**
 * Kendall's tau-b (handles ties), O(n log n) via Knight's algorithm.
 * Same definition as scipy.stats.kendalltau's default.
 */
export function kendallTau(a: readonly number[], b: readonly number[]): number {
  const n = a.length;
  if (n !== b.length) throw new RangeError('kendallTau: arrays differ in length');
  if (n < 2) return 0;
  const idx = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[i] - a[j] || b[i] - b[j]);
  const countTies = (values: number[]): number => {
    let t = 0;
    for (let i = 0; i < values.length; ) {
      let j = i;
      while (j + 1 < values.length && values[j + 1] === values[i]) j++;
      const len = j - i + 1;
      t += (len * (len - 1)) / 2;
      i = j + 1;
    }
    return t;
  };
  // ties in a, and joint ties in (a, b)
  let n1 = 0;
  let n3 = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && a[idx[j + 1]] === a[idx[i]]) j++;
    const len = j - i + 1;
    n1 += (len * (len - 1)) / 2;
    for (let k = i; k <= j; ) {
      let m = k;
      while (m + 1 <= j && b[idx[m + 1]] === b[idx[k]]) m++;
      const l2 = m - k + 1;
      n3 += (l2 * (l2 - 1)) / 2;
      k = m + 1;
    }
    i = j + 1;
  }
  // merge sort on b counting swaps = discordant pairs
  const arr = idx.map((i) => b[i]);
  const buf = new Array<number>(n);
  let swaps = 0;
  for (let width = 1; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) {
        if (arr[j] < arr[i]) {
          swaps += mid - i;
          buf[k++] = arr[j++];
        } else buf[k++] = arr[i++];
      }
      while (i < mid) buf[k++] = arr[i++];
      while (j < hi) buf[k++] = arr[j++];
      for (let t = lo; t < hi; t++) arr[t] = buf[t];
    }
  }
  const n2 = countTies(arr.slice().sort((x, y) => x - y));
  const n0 = (n * (n - 1)) / 2;
  const concordantMinusDiscordant = n0 - n1 - n2 + n3 - 2 * swaps;
  const denom = Math.sqrt((n0 - n1) * (n0 - n2));
  return denom === 0 ? 0 : concordantMinusDiscordant / denom;
}
