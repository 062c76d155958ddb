import { createHash } from 'node:crypto';
import { UserError } from '@dcl-enas/common';
import type { Evaluator, QueryContext, QueryResult } from '@dcl-enas/benchmarks';
import type { HoldoutOptions } from '@dcl-enas/ecg';
import { ecgSpace, type EcgArch } from '@dcl-enas/spaces';
import { buildEcgNet, netInput, type EcgModelSpec } from './candidate';
import { DEFAULT_MACRO, type MacroConfig } from './cell-network';
import { loadEcgData, type EcgData, type LoadEcgOptions } from './ecg-data';
import { checkEcgQuery, ECG_DATASETS, knownKey, type StoredCandidate, type TestPolicy } from './ecg-evaluator';
import type { ClassificationMetrics } from './metrics';
import type { EcgNet } from './net';
import { evaluatePart, trainNetwork, type TrainConfig, type TrainReport } from './trainer';

/**
 * Cross-validation inside DS1 (docs/ecg-space.md, "Cross-validation inside DS1 and square-root
 * quotas"): fold k holds out the DS1 records of hold-out seed `holdoutSeeds[k]` and trains with
 * weight seed `train[k].seed`. A candidate's search signal is its hold-out macro-F1 averaged
 * over the folds, so neither one draw of four hold-out patients nor one weight seed decides the
 * selection. DS2 is never used to select: its figures are the mean over the same fold models,
 * reported only.
 */

/** A network, in a form that can cross a thread boundary. */
export type NetRef = { readonly kind: 'baseline' } | { readonly kind: 'cell'; readonly arch: string };

export interface FoldJob {
  readonly net: NetRef;
  readonly fold: number;
}

/** One network trained on one fold, scored on that fold's (full) hold-out. */
export interface FoldTrained {
  readonly parameters: number;
  readonly train: TrainReport;
  readonly holdout: ClassificationMetrics;
  readonly seconds: number;
}

/**
 * Trains networks on folds (possibly in parallel, e.g. in worker threads). `run` trains every
 * job, asks `wantsTest` with all their hold-out results, scores DS2 for every job if it says
 * so, and releases the networks.
 */
export interface FoldBackend {
  /** The number of folds. */
  readonly folds: number;
  run(jobs: readonly FoldJob[], wantsTest: (trained: readonly FoldTrained[]) => boolean): { trained: FoldTrained[]; test: ClassificationMetrics[] | null };
}

/** Identifies a fold's protocol: training config, macro network and hold-out records. */
export function foldFingerprint(train: TrainConfig, macro: MacroConfig, holdoutRecords: readonly number[]): string {
  return createHash('sha256').update(JSON.stringify({ v: 2, train, macro, holdoutRecords })).digest('hex').slice(0, 12);
}

/**
 * The folds' data: one split per hold-out seed (the beat set itself is built or read once and
 * cached). DS2 is the same records in every fold: its beats are held once and shared (the RR
 * inputs differ, standardised on each fold's training records).
 */
export async function loadEcgFolds(holdoutSeeds: readonly number[], options: LoadEcgOptions = {}): Promise<EcgData[]> {
  const out: EcgData[] = [];
  for (const seed of holdoutSeeds) {
    const d = await loadEcgData({ ...options, holdout: { ...options.holdout, seed } });
    const first = out[0];
    const same = first && first.testRecords.length === d.testRecords.length && first.testRecords.every((r, i) => r === d.testRecords[i]);
    out.push(same ? { ...d, test: { beats: first.test.beats, rr: d.test.rr } } : d);
  }
  return out;
}

/**
 * The hold-out seeds of `folds` folds: fold k draws its hold-out with seed `holdout.seed + k`
 * (seed 0 when absent, so folds 0..K-1 use seeds 0..K-1 as in docs/results/ecg.md).
 */
export function foldHoldoutSeeds(holdout: HoldoutOptions | undefined, folds: number): number[] {
  return Array.from({ length: folds }, (_, k) => (holdout?.seed ?? 0) + k);
}

/** The training configs of `folds` folds: fold k trains with weight seed `train.seed + k`, otherwise as `train`. */
export function foldTrainConfigs(train: TrainConfig, folds: number): TrainConfig[] {
  return Array.from({ length: folds }, (_, k) => ({ ...train, seed: train.seed + k }));
}

/** foldFingerprint of every fold. */
export function foldProtocols(data: readonly EcgData[], train: readonly TrainConfig[], macro: MacroConfig = DEFAULT_MACRO): string[] {
  return data.map((d, k) => foldFingerprint(train[k], macro, d.holdoutRecords));
}

export function specOf(net: NetRef, macro: MacroConfig = DEFAULT_MACRO): EcgModelSpec {
  return net.kind === 'baseline' ? { kind: 'baseline' } : { kind: 'cell', arch: ecgSpace.parse(net.arch), macro };
}

/** Trains one fold's network and scores the hold-out; the caller owns (and disposes) the network. */
export function trainFold(net: NetRef, data: EcgData, train: TrainConfig, macro: MacroConfig = DEFAULT_MACRO): { net: EcgNet; trained: FoldTrained } {
  const started = performance.now();
  const built = buildEcgNet(specOf(net, macro), netInput(data), train.seed);
  try {
    const report = trainNetwork(built, data, train);
    const holdout = evaluatePart(built, data.holdout, data.classes, train.selectionClasses);
    return { net: built, trained: { parameters: built.weights.parameterCount, train: report, holdout, seconds: (performance.now() - started) / 1000 } };
  } catch (e) {
    built.weights.dispose();
    throw e;
  }
}

/** In-process backend: the folds one after the other. */
export function localFoldBackend(data: readonly EcgData[], train: readonly TrainConfig[], macro: MacroConfig = DEFAULT_MACRO): FoldBackend {
  if (data.length !== train.length || data.length === 0) throw new UserError('give one training config per fold, and at least one fold');
  return {
    folds: data.length,
    run(jobs, wantsTest) {
      const nets: EcgNet[] = [];
      try {
        const trained = jobs.map((j) => {
          const r = trainFold(j.net, data[j.fold], train[j.fold], macro);
          nets.push(r.net);
          return r.trained;
        });
        const test = wantsTest(trained) ? jobs.map((j, i) => evaluatePart(nets[i], data[j.fold].test, data[j.fold].classes)) : null;
        return { trained, test };
      } finally {
        for (const n of nets) n.weights.dispose();
      }
    },
  };
}

export interface EcgCvOptions {
  readonly macro?: MacroConfig;
  /** As EcgEvaluator's, plus 'none': never score DS2 (protocol checks on DS1). */
  readonly testPolicy?: TestPolicy | 'none';
  /** Per-fold results of earlier runs, by knownKey(fold protocol, key). */
  readonly known?: Map<string, StoredCandidate>;
  readonly onTrained?: (c: StoredCandidate) => void;
}

/**
 * The search evaluator over folds: valAcc = hold-out macro-F1 (selection classes) averaged over
 * the folds, testAcc = DS2 macro-F1 (all five classes) averaged over the same fold models (null
 * where the policy skipped DS2), trainSeconds = the folds' training seconds summed.
 */
export class EcgCvEvaluator implements Evaluator<EcgArch> {
  readonly space = ecgSpace;
  readonly datasets: readonly string[] = ECG_DATASETS;
  readonly protocols: readonly string[];
  readonly known: Map<string, StoredCandidate>;
  /** `protocols[k]`: foldFingerprint of fold k (see foldProtocols). */
  constructor(
    private readonly backend: FoldBackend,
    protocols: readonly string[],
    private readonly options: EcgCvOptions = {},
  ) {
    if (protocols.length !== backend.folds) throw new UserError(`${protocols.length} fold protocols for ${backend.folds} folds`);
    this.protocols = protocols;
    this.known = options.known ?? new Map();
  }

  /** As EcgEvaluator.query: the 'improving' policy compares the mean hold-out score (valAcc) with `context.testAbove`. */
  query(arch: EcgArch, dataset: string, context?: QueryContext): QueryResult {
    checkEcgQuery(arch, dataset);
    const bestValAcc = context?.testAbove ?? -Infinity;
    const label = ecgSpace.format(arch);
    // valAcc below is 100 * mean(hold-out F1): the same expression, so the comparison matches the embedded search's.
    const improving = (meanHoldout: number) => 100 * meanHoldout > bestValAcc;
    const runs = this.evaluate({ kind: 'cell', arch: label }, ecgSpace.key(arch), label, false, improving);
    const val = mean(runs.map((r) => r.holdout.macroF1));
    const tested = runs.every((r) => r.test !== null);
    return { valAcc: 100 * val, testAcc: tested ? 100 * mean(runs.map((r) => r.test!.macroF1)) : null, trainSeconds: runs.reduce((a, r) => a + r.trainSeconds, 0) };
  }

  /** The hand-designed baseline on every fold (scored on DS2 unless the policy is 'none'). */
  baseline(): StoredCandidate[] {
    return this.evaluate({ kind: 'baseline' }, 'baseline', 'baseline', this.options.testPolicy !== 'none');
  }

  /** The stored fold results of a key (null where a fold is missing). */
  results(key: string): (StoredCandidate | null)[] {
    return this.protocols.map((p) => this.known.get(knownKey(p, key)) ?? null);
  }

  private evaluate(net: NetRef, key: string, label: string, force: boolean, improving?: (meanHoldout: number) => boolean): StoredCandidate[] {
    const policy = this.options.testPolicy ?? 'all';
    const beatsBest = improving ?? (() => true);
    const decide = (holdouts: readonly ClassificationMetrics[]) => policy !== 'none' && (force || policy === 'all' || beatsBest(mean(holdouts.map((h) => h.macroF1))));
    const have = this.results(key);
    const missing = have.flatMap((c, k) => (c ? [] : [k]));
    let wanted: boolean | null = null;
    if (missing.length > 0) {
      const { trained, test } = this.backend.run(
        missing.map((fold) => ({ net, fold })),
        (fresh) => {
          const all = have.map((c) => c?.holdout ?? null);
          missing.forEach((k, i) => (all[k] = fresh[i].holdout));
          return (wanted = decide(all as ClassificationMetrics[]));
        },
      );
      missing.forEach((k, i) => (have[k] = this.store(k, key, label, trained[i], test ? test[i] : null)));
    }
    wanted ??= decide(have.map((c) => c!.holdout));
    // Known folds trained without DS2 (an earlier search where this cell did not improve): train them again with it (training is deterministic).
    const untested = wanted ? have.flatMap((c, k) => (c!.test === null ? [k] : [])) : [];
    if (untested.length > 0) {
      const { trained, test } = this.backend.run(
        untested.map((fold) => ({ net, fold })),
        () => true,
      );
      untested.forEach((k, i) => (have[k] = this.store(k, key, label, trained[i], test![i])));
    }
    return have as StoredCandidate[];
  }

  private store(fold: number, key: string, label: string, r: FoldTrained, test: ClassificationMetrics | null): StoredCandidate {
    const stored: StoredCandidate = {
      key,
      arch: label,
      protocol: this.protocols[fold],
      fold,
      parameters: r.parameters,
      trainSeconds: r.train.seconds,
      epochs: r.train.epochs.length,
      bestEpoch: r.train.bestEpoch,
      holdout: r.holdout,
      test,
      seconds: r.seconds,
    };
    this.known.set(knownKey(stored.protocol, key), stored);
    this.options.onTrained?.(stored);
    return stored;
  }
}

const mean = (v: readonly number[]) => v.reduce((a, b) => a + b, 0) / v.length;
