import { RR_FEATURE_COUNT } from './rr-features';

/** Beats ready for tfjs: row i of every array belongs to beat i. */
export interface BeatSet {
  readonly size: number;
  readonly windowLength: number;
  /** size x windowLength samples, row-major (tf.tensor3d(windows, [size, windowLength, 1])). */
  readonly windows: Float32Array;
  /** AAMI label 0..4 (N, S, V, F, Q). */
  readonly labels: Uint8Array;
  /** MIT-BIH record number of each beat (patient id for record-wise splits). */
  readonly records: Uint16Array;
  /** Sample index of the annotated R peak in its record. */
  readonly samples: Int32Array;
  /** size x 4 RR-interval features (see RR_FEATURES), row-major, in seconds. */
  readonly rr: Float32Array;
}

/** The beats of the given records, in their original order. */
export function selectRecords(set: BeatSet, records: Iterable<number>): BeatSet {
  const wanted = new Set(records);
  const rows: number[] = [];
  for (let i = 0; i < set.size; i++) if (wanted.has(set.records[i])) rows.push(i);
  return selectRows(set, rows);
}

/** The beats at the given row indices, in that order (rows may repeat, e.g. for resampling). */
export function selectRows(set: BeatSet, rows: ArrayLike<number>): BeatSet {
  const n = rows.length;
  const L = set.windowLength;
  const windows = new Float32Array(n * L);
  const labels = new Uint8Array(n);
  const records = new Uint16Array(n);
  const samples = new Int32Array(n);
  const rr = new Float32Array(n * RR_FEATURE_COUNT);
  for (let k = 0; k < n; k++) {
    const i = rows[k];
    windows.set(set.windows.subarray(i * L, (i + 1) * L), k * L);
    rr.set(set.rr.subarray(i * RR_FEATURE_COUNT, (i + 1) * RR_FEATURE_COUNT), k * RR_FEATURE_COUNT);
    labels[k] = set.labels[i];
    records[k] = set.records[i];
    samples[k] = set.samples[i];
  }
  return { size: n, windowLength: L, windows, labels, records, samples, rr };
}

/** Distinct record numbers of a set, ascending. */
export function recordsOf(set: BeatSet): number[] {
  return [...new Set(set.records)].sort((a, b) => a - b);
}
