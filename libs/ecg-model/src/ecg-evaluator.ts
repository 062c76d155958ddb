import { createHash } from 'node:crypto';
import { UserError } from '@dcl-enas/common';
import type { Evaluator, QueryResult } from '@dcl-enas/benchmarks';
import { ecgSpace, type EcgArch } from '@dcl-enas/spaces';
import { DEFAULT_MACRO, type MacroConfig } from './cell-network';
import { trainCandidate, type CandidateResult, type EcgModelSpec } from './candidate';
import type { EcgData } from './ecg-data';
import type { ClassificationMetrics } from './metrics';
import { DEFAULT_TRAIN, type TrainConfig } from './trainer';

export const ECG_DATASETS = ['mitdb'] as const;

/**
 * 'all': score every candidate on DS2. 'improving': only candidates whose hold-out score beats
 * every earlier one of this evaluator, i.e. the ones a search selects (runSearch keeps the
 * earliest of equal scores); DS2 scoring costs about as much as a short training run.
 */
export type TestPolicy = 'all' | 'improving';

/** One trained candidate as stored (e.g. one JSON line of a resumable benchmark). */
export interface StoredCandidate {
  /** `baseline`, or the cell's canonical key. */
  readonly key: string;
  /** The cell string, or `baseline`. */
  readonly arch: string;
  /** Training protocol fingerprint (trainFingerprint): results of other protocols are not reused. */
  readonly protocol: string;
  /** Fold index under cross-validation inside DS1 (EcgCvEvaluator); absent for the single hold-out. */
  readonly fold?: number;
  readonly parameters: number;
  readonly trainSeconds: number;
  readonly epochs: number;
  readonly bestEpoch: number;
  readonly holdout: ClassificationMetrics;
  readonly test: ClassificationMetrics | null;
  readonly seconds: number;
}

export interface EcgEvaluatorOptions {
  readonly train?: TrainConfig;
  readonly macro?: MacroConfig;
  readonly testPolicy?: TestPolicy;
  /** Results of earlier runs, by knownKey(protocol, key): not trained again. */
  readonly known?: Map<string, StoredCandidate>;
  /** Called for every newly trained candidate (after it joined `known`). */
  readonly onTrained?: (c: StoredCandidate) => void;
}

/** What both ECG evaluators refuse before training anything: another dataset, an invalid cell. */
export function checkEcgQuery(arch: EcgArch, dataset: string): void {
  if (!(ECG_DATASETS as readonly string[]).includes(dataset)) throw new UserError(`unknown dataset "${dataset}" for space ecg: use ${ECG_DATASETS.join(', ')}`);
  const reason = ecgSpace.invalidReason(arch);
  if (reason) throw new UserError(`invalid ECG-1D cell: ${reason}`);
}

export const knownKey = (protocol: string, key: string): string => `${protocol}/${key}`;

/** Identifies the training protocol: the train config and the macro network. */
export function trainFingerprint(train: TrainConfig, macro: MacroConfig): string {
  return createHash('sha256').update(JSON.stringify({ v: 1, train, macro })).digest('hex').slice(0, 12);
}

/**
 * The real-task evaluator: each query trains the candidate on DS1 (minus the hold-out) and
 * returns valAcc = hold-out macro-F1 (%) over N, S, V, F (the search signal) and testAcc = DS2
 * macro-F1 (%) over all five classes (reported only; null where the test policy skipped it).
 * trainSeconds is the measured wall time of training on this machine.
 */
export class EcgEvaluator implements Evaluator<EcgArch> {
  readonly space = ecgSpace;
  readonly datasets: readonly string[] = ECG_DATASETS;
  readonly train: TrainConfig;
  readonly macro: MacroConfig;
  readonly protocol: string;
  readonly known: Map<string, StoredCandidate>;
  private bestValue = -Infinity;

  constructor(
    readonly data: EcgData,
    private readonly options: EcgEvaluatorOptions = {},
  ) {
    this.train = options.train ?? DEFAULT_TRAIN;
    this.macro = options.macro ?? DEFAULT_MACRO;
    this.protocol = trainFingerprint(this.train, this.macro);
    this.known = options.known ?? new Map();
  }

  query(arch: EcgArch, dataset: string): QueryResult {
    return this.queryCell(arch, dataset, undefined);
  }

  /**
   * query() for a search whose earlier results this evaluator has not seen (a cluster trainer
   * takes any trial of any experiment): the 'improving' policy compares the hold-out score with
   * `bestValAcc`, the best valAcc of the search's earlier trials (null: none yet), instead of
   * with this evaluator's own memory. Policy 'all' scores DS2 regardless.
   */
  queryAfter(arch: EcgArch, dataset: string, bestValAcc: number | null): QueryResult {
    return this.queryCell(arch, dataset, bestValAcc ?? -Infinity);
  }

  private queryCell(arch: EcgArch, dataset: string, bestValAcc: number | undefined): QueryResult {
    checkEcgQuery(arch, dataset);
    const improving = bestValAcc === undefined ? undefined : (holdout: ClassificationMetrics) => 100 * holdout.macroF1 > bestValAcc;
    const stored = this.candidate({ kind: 'cell', arch, macro: this.macro }, ecgSpace.key(arch), ecgSpace.format(arch), false, improving);
    return { valAcc: 100 * stored.holdout.macroF1, testAcc: stored.test ? 100 * stored.test.macroF1 : null, trainSeconds: stored.trainSeconds };
  }

  /** The hand-designed baseline under the same protocol (always scored on DS2). */
  baseline(): StoredCandidate {
    return this.candidate({ kind: 'baseline' }, 'baseline', 'baseline', true);
  }

  private candidate(spec: EcgModelSpec, key: string, label: string, forceTest = false, improving?: (holdout: ClassificationMetrics) => boolean): StoredCandidate {
    const beatsBest = improving ?? ((holdout: ClassificationMetrics) => holdout.macroF1 > this.bestValue);
    const wantsTest = (holdout: ClassificationMetrics) => forceTest || this.options.testPolicy !== 'improving' || beatsBest(holdout);
    const known = this.known.get(knownKey(this.protocol, key));
    const reusable = known && (known.test !== null || !wantsTest(known.holdout)) ? known : null;
    const result = reusable ?? this.store(key, label, trainCandidate(spec, this.data, this.train, wantsTest));
    if (spec.kind === 'cell') this.bestValue = Math.max(this.bestValue, result.holdout.macroF1);
    return result;
  }

  private store(key: string, label: string, r: CandidateResult): StoredCandidate {
    const stored: StoredCandidate = {
      key,
      arch: label,
      protocol: this.protocol,
      parameters: r.parameters,
      trainSeconds: r.train.seconds,
      epochs: r.train.epochs.length,
      bestEpoch: r.train.bestEpoch,
      holdout: r.holdout,
      test: r.test,
      seconds: r.seconds,
    };
    this.known.set(knownKey(this.protocol, key), stored);
    this.options.onTrained?.(stored);
    return stored;
  }
}
