import { createHash } from 'node:crypto';
import { UserError } from '@dcl-enas/common';
import type { Evaluator, QueryContext, QueryResult } from '@dcl-enas/benchmarks';
import { ecgSpace, type EcgArch } from '@dcl-enas/spaces';
import { DEFAULT_MACRO, type MacroConfig } from './cell-network';
import { trainCandidate, type CandidateResult, type EcgModelSpec } from './candidate';
import type { EcgData } from './ecg-data';
import type { ClassificationMetrics } from './metrics';
import { DEFAULT_TRAIN, type TrainConfig } from './trainer';

export const ECG_DATASETS = ['mitdb'] as const;

/**
 * 'all': score every candidate on DS2. 'improving': only candidates whose hold-out score beats
 * the best of the search's earlier trials (the request's testAbove), i.e. the ones a search
 * can select (the earliest of equal scores stays selected); DS2 scoring costs about as much as
 * a short training run.
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
  constructor(
    readonly data: EcgData,
    private readonly options: EcgEvaluatorOptions = {},
  ) {
    this.train = options.train ?? DEFAULT_TRAIN;
    this.macro = options.macro ?? DEFAULT_MACRO;
    this.protocol = trainFingerprint(this.train, this.macro);
    this.known = options.known ?? new Map();
  }

  /**
   * Trains the cell (or reuses a known result). The 'improving' policy scores DS2 only when the
   * hold-out score beats `context.testAbove`, the best valAcc of the search's earlier trials
   * (the trial request carries it; absent or null: none yet, so DS2 is scored). Stateless: any
   * trial of any search can come in any order.
   */
  query(arch: EcgArch, dataset: string, context?: QueryContext): QueryResult {
    checkEcgQuery(arch, dataset);
    const bestValAcc = context?.testAbove ?? -Infinity;
    const improving = (holdout: ClassificationMetrics) => 100 * holdout.macroF1 > bestValAcc;
    const stored = this.candidate({ kind: 'cell', arch, macro: this.macro }, ecgSpace.key(arch), ecgSpace.format(arch), false, improving);
    return { valAcc: 100 * stored.holdout.macroF1, testAcc: stored.test ? 100 * stored.test.macroF1 : null, trainSeconds: stored.trainSeconds };
  }

  /** The hand-designed baseline under the same protocol (always scored on DS2). */
  baseline(): StoredCandidate {
    return this.candidate({ kind: 'baseline' }, 'baseline', 'baseline', true);
  }

  private candidate(spec: EcgModelSpec, key: string, label: string, forceTest = false, improving?: (holdout: ClassificationMetrics) => boolean): StoredCandidate {
    const wantsTest = (holdout: ClassificationMetrics) => forceTest || this.options.testPolicy !== 'improving' || (improving?.(holdout) ?? true);
    const known = this.known.get(knownKey(this.protocol, key));
    const reusable = known && (known.test !== null || !wantsTest(known.holdout)) ? known : null;
    const result = reusable ?? this.store(key, label, trainCandidate(spec, this.data, this.train, wantsTest));
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
