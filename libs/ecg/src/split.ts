import { Rng, UserError } from '@dcl-enas/common';
import { AAMI_CLASS_COUNT, AAMI_CLASSES, type AamiClass } from './aami';
import { selectRecords, type BeatSet } from './beat-set';
import { DS1_RECORDS, DS2_RECORDS } from './records';

export interface HoldoutOptions {
  /** Seed of the record draw; the same seed always gives the same records. Default 0. */
  readonly seed?: number;
  /** Whole DS1 records held out for model selection. Default 4 (of 22). */
  readonly count?: number;
  /**
   * Fewest beats of each class the hold-out must hold (the training records must keep some too).
   * Default N 1, S 50, V 50, F 1: S and V are common enough in DS1 for a meaningful hold-out
   * score, F is nearly all in record 208 and Q has 8 DS1 beats, so those cannot be asked for.
   */
  readonly minBeats?: Partial<Readonly<Record<AamiClass, number>>>;
  /** Largest share of any class in `minBeats` the hold-out may take from DS1. Default 0.5. */
  readonly maxShare?: number;
}

export interface InterPatientSplit {
  /** DS1 minus the hold-out records: fit weights here. */
  readonly train: BeatSet;
  /** Whole DS1 records: early stopping and model selection here, never on DS2. */
  readonly holdout: BeatSet;
  /** DS2: report only. */
  readonly test: BeatSet;
  readonly trainRecords: readonly number[];
  readonly holdoutRecords: readonly number[];
  readonly testRecords: readonly number[];
}

const MAX_DRAWS = 10_000;

export const DEFAULT_HOLDOUT_MIN_BEATS: Readonly<Record<AamiClass, number>> = { N: 1, S: 50, V: 50, F: 1, Q: 0 };

/**
 * Picks `count` whole DS1 records for the hold-out: seeded uniform draws of record subsets, the
 * first that (a) holds at least `minBeats` of each class, (b) leaves some of each of those
 * classes in the training records and (c) takes at most `maxShare` of any of them. DS2 records
 * are refused.
 */
export function chooseHoldoutRecords(classCountsByRecord: ReadonlyMap<number, readonly number[]>, options: HoldoutOptions = {}): number[] {
  const { seed = 0, count = 4, maxShare = 0.5 } = options;
  const minBeats = { ...DEFAULT_HOLDOUT_MIN_BEATS, ...options.minBeats };
  const candidates = [...classCountsByRecord.keys()].sort((a, b) => a - b);
  const foreign = candidates.filter((r) => !DS1_RECORDS.includes(r));
  if (foreign.length > 0) throw new UserError(`hold-out records must come from DS1; ${foreign.join(', ')} are not DS1 records`);
  if (!Number.isInteger(count) || count < 1 || count >= candidates.length) {
    throw new UserError(`hold-out size ${count} is invalid for ${candidates.length} DS1 record(s): choose 1..${candidates.length - 1}`);
  }
  const required = AAMI_CLASSES.map((c, k) => [k, minBeats[c]] as const).filter(([, min]) => min > 0);
  const totals = new Array<number>(AAMI_CLASS_COUNT).fill(0);
  for (const counts of classCountsByRecord.values()) counts.forEach((n, c) => (totals[c] += n));

  const rng = Rng.seeded(seed);
  for (let draw = 0; draw < MAX_DRAWS; draw++) {
    const picked = rng.sample(candidates, count).sort((a, b) => a - b);
    const held = new Array<number>(AAMI_CLASS_COUNT).fill(0);
    for (const r of picked) (classCountsByRecord.get(r) ?? []).forEach((n, c) => (held[c] += n));
    if (required.every(([c, min]) => held[c] >= min && held[c] < totals[c] && held[c] <= maxShare * totals[c])) return picked;
  }
  throw new UserError(
    `no ${count} DS1 record(s) among ${candidates.join(', ')} hold ${required.map(([c, min]) => `>= ${min} ${AAMI_CLASSES[c]}`).join(', ')} beats while leaving each class in training (share <= ${maxShare}): use more DS1 records, another hold-out size or lower minBeats`,
  );
}

/** Beats per AAMI class for every record of the set. */
export function classCountsByRecord(set: BeatSet): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (let i = 0; i < set.size; i++) {
    const r = set.records[i];
    let counts = out.get(r);
    if (!counts) out.set(r, (counts = new Array<number>(AAMI_CLASS_COUNT).fill(0)));
    counts[set.labels[i]]++;
  }
  return out;
}

/**
 * The inter-patient protocol: train on DS1 records, select models on a hold-out of whole DS1
 * records (chooseHoldoutRecords), test on DS2. Records of the set outside DS1 and DS2 are ignored.
 */
export function splitInterPatient(set: BeatSet, options: HoldoutOptions = {}): InterPatientSplit {
  const counts = classCountsByRecord(set);
  const ds1 = new Map([...counts].filter(([r]) => DS1_RECORDS.includes(r)));
  const testRecords = [...counts.keys()].filter((r) => DS2_RECORDS.includes(r)).sort((a, b) => a - b);
  const holdoutRecords = chooseHoldoutRecords(ds1, options);
  const trainRecords = [...ds1.keys()].filter((r) => !holdoutRecords.includes(r)).sort((a, b) => a - b);
  return {
    train: selectRecords(set, trainRecords),
    holdout: selectRecords(set, holdoutRecords),
    test: selectRecords(set, testRecords),
    trainRecords,
    holdoutRecords,
    testRecords,
  };
}
