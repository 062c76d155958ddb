/** Per-beat RR-interval features, in this column order (seconds). */
export const RR_FEATURES = ['preRR', 'postRR', 'localRR', 'recordRR'] as const;
export const RR_FEATURE_COUNT = RR_FEATURES.length;

/**
 * Longest interval used, in seconds. Longer gaps are stretches without beat annotations (record
 * 207's ventricular flutter episodes leave a 100 s gap) or long pauses; they are capped so a
 * single gap does not dwarf every other feature value.
 */
export const MAX_RR_SECONDS = 3;

/** Beats on each side whose RR intervals make up the local average. */
const LOCAL_HALF_SPAN = 5;

/**
 * RR-interval features of de Chazal et al. (2004) for each beat of one record, from the sample
 * positions of all its beats (sorted): the interval to the previous beat, to the next beat, the
 * mean of the intervals within 5 beats either side, and the mean interval of the whole record.
 * Where a neighbour is missing (first and last beat) the record mean stands in. Intervals are
 * capped at MAX_RR_SECONDS before anything is averaged. Returns
 * beats.length x 4 values, row-major. Like de Chazal, this looks at the whole record (offline).
 */
export function rrFeatures(beats: ArrayLike<number>, samplingFrequency: number): Float32Array {
  const n = beats.length;
  const out = new Float32Array(n * RR_FEATURE_COUNT);
  if (n === 0) return out;
  const intervals = new Float64Array(Math.max(0, n - 1));
  for (let i = 0; i + 1 < n; i++) intervals[i] = Math.min(MAX_RR_SECONDS, (beats[i + 1] - beats[i]) / samplingFrequency);
  const prefix = new Float64Array(intervals.length + 1);
  for (let i = 0; i < intervals.length; i++) prefix[i + 1] = prefix[i] + intervals[i];
  const recordMean = intervals.length > 0 ? prefix[intervals.length] / intervals.length : 0;

  for (let i = 0; i < n; i++) {
    // Interval j lies between beats j and j+1; beat i has intervals i-1 (before) and i (after).
    const from = Math.max(0, i - LOCAL_HALF_SPAN);
    const to = Math.min(intervals.length, i + LOCAL_HALF_SPAN);
    const row = i * RR_FEATURE_COUNT;
    out[row] = i > 0 ? intervals[i - 1] : recordMean;
    out[row + 1] = i < intervals.length ? intervals[i] : recordMean;
    out[row + 2] = to > from ? (prefix[to] - prefix[from]) / (to - from) : recordMean;
    out[row + 3] = recordMean;
  }
  return out;
}
