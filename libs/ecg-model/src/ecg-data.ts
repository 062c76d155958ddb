import { UserError } from '@dcl-enas/common';
import { AAMI_CLASS_COUNT, buildBeatSet, RR_FEATURE_COUNT, selectRecords, splitInterPatient, type BeatSet, type HoldoutOptions } from '@dcl-enas/ecg';
import { join } from 'node:path';

/** One part of the split, ready for the networks. */
export interface EcgPart {
  readonly beats: BeatSet;
  /** beats.size x RR_INPUTS standardised RR inputs (see rrInputs). */
  readonly rr: Float32Array;
}

export interface EcgData {
  readonly train: EcgPart;
  /** Whole DS1 records: early stopping and model selection. */
  readonly holdout: EcgPart;
  /** DS2: reported only. */
  readonly test: EcgPart;
  readonly trainRecords: readonly number[];
  readonly holdoutRecords: readonly number[];
  readonly testRecords: readonly number[];
  readonly windowLength: number;
  readonly classes: number;
}

/** The four RR intervals of @dcl-enas/ecg plus the first three divided by the record's mean interval. */
export const RR_INPUTS = RR_FEATURE_COUNT + 3;

export interface LoadEcgOptions {
  /** Data directory holding mitdb/; default the beat set's own default (resolveDataDir()). */
  readonly dataDir?: string;
  /** Only these records (DS1 and DS2 numbers), e.g. for a quick test; default all 44. */
  readonly records?: readonly number[];
  readonly holdout?: HoldoutOptions;
  /** Beat-set cache folder; default @dcl-enas/ecg's defaultCacheDir() (ENAS_CACHE_DIR, else the user cache); null: no cache. */
  readonly cacheDir?: string | null;
}

/** The beat set, split DS1-train / DS1-hold-out / DS2, with RR inputs standardised on the training part only. */
export async function loadEcgData(options: LoadEcgOptions = {}): Promise<EcgData> {
  const { beats } = await buildBeatSet({
    ...(options.dataDir ? { mitdbDir: join(options.dataDir, 'mitdb') } : {}),
    ...(options.cacheDir !== undefined ? { cacheDir: options.cacheDir } : {}),
  });
  const set = options.records ? selectRecords(beats, options.records) : beats;
  if (set.size === 0) throw new UserError(`records ${options.records?.join(', ')} hold no beats: choose non-paced MIT-BIH records`);
  const split = splitInterPatient(set, options.holdout);
  if (split.test.size === 0) throw new UserError('the chosen records include no DS2 record: add at least one DS2 record to test on');
  const raw = { train: rrInputs(split.train), holdout: rrInputs(split.holdout), test: rrInputs(split.test) };
  const { mean, std } = columnStats(raw.train, RR_INPUTS);
  for (const m of Object.values(raw)) standardise(m, mean, std);
  return {
    train: { beats: split.train, rr: raw.train },
    holdout: { beats: split.holdout, rr: raw.holdout },
    test: { beats: split.test, rr: raw.test },
    trainRecords: split.trainRecords,
    holdoutRecords: split.holdoutRecords,
    testRecords: split.testRecords,
    windowLength: set.windowLength,
    classes: AAMI_CLASS_COUNT,
  };
}

/**
 * RR intervals relative to the patient's own mean interval tell prematurity apart from a
 * patient's ordinary rate; that matters across patients (the inter-patient split), where the
 * absolute intervals differ from person to person.
 */
export function rrInputs(set: BeatSet): Float32Array {
  const out = new Float32Array(set.size * RR_INPUTS);
  for (let i = 0; i < set.size; i++) {
    const src = set.rr.subarray(i * RR_FEATURE_COUNT, (i + 1) * RR_FEATURE_COUNT);
    const row = i * RR_INPUTS;
    out.set(src, row);
    const recordMean = src[3] > 0 ? src[3] : 1;
    for (let j = 0; j < 3; j++) out[row + RR_FEATURE_COUNT + j] = src[j] / recordMean;
  }
  return out;
}

function columnStats(m: Float32Array, cols: number): { mean: number[]; std: number[] } {
  const rows = m.length / cols;
  const mean = new Array<number>(cols).fill(0);
  const std = new Array<number>(cols).fill(0);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) mean[j] += m[i * cols + j] / rows;
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) std[j] += (m[i * cols + j] - mean[j]) ** 2 / rows;
  return { mean, std: std.map((v) => Math.sqrt(v) || 1) };
}

function standardise(m: Float32Array, mean: readonly number[], std: readonly number[]): void {
  const cols = mean.length;
  for (let i = 0; i < m.length; i++) m[i] = (m[i] - mean[i % cols]) / std[i % cols];
}
