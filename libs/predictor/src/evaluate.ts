import { join } from 'node:path';
import { kendallTau, mean, Rng, spearman, std, UserError } from '@dcl-enas/common';
import { loadNb201, NB101_SUBSET_FILE, NB201_DATASETS, readNb101SubsetRows, type Nb201Dataset } from '@dcl-enas/benchmarks';
import { nb101Space, nb201Space, type Nb101Arch, type SearchSpace } from '@dcl-enas/spaces';
import { usesPretraining, variantConfig, type ConfigOverrides, type Variant } from './config';
import { pretrainedEncoders } from './pretrained-encoder';
import { ArchPredictor, type PredictorOptions } from './predictor';

export type EvalTarget = 'test' | 'val';

/** Architectures with the accuracy a predictor is trained on and judged against. */
export interface LabelledSet<A> {
  readonly space: SearchSpace<A>;
  readonly archs: readonly A[];
  readonly targets: readonly number[];
  /** What the targets are, for the report. */
  readonly description: string;
}

/**
 * NB201: every cell; target = 200-epoch test accuracy of `dataset` (what published predictor
 * tables rank), or with `val` the 12-epoch validation accuracy (the search signal).
 */
export function nb201Labelled(dataDir: string, dataset: string, target: EvalTarget): LabelledSet<readonly number[]> {
  if (!(NB201_DATASETS as readonly string[]).includes(dataset)) {
    throw new UserError(`unknown NAS-Bench-201 dataset "${dataset}": use one of ${NB201_DATASETS.join(', ')}`);
  }
  const table = loadNb201(dataDir);
  const column = target === 'test' ? table.test[dataset as Nb201Dataset] : table.val[dataset as Nb201Dataset];
  const archs = [...(nb201Space.enumerate?.() ?? [])];
  return {
    space: nb201Space,
    archs,
    targets: Array.from(column),
    description: target === 'test' ? `200-epoch test accuracy (${dataset})` : `12-epoch validation accuracy (${dataset})`,
  };
}

/**
 * NB101: only the shipped 500-line subset can be measured here; one entry per distinct cell
 * (module hash), target = its validation accuracy (mean of the subset's distinct values).
 */
export function nb101SubsetLabelled(dataDir: string, dataset: string, target: EvalTarget): LabelledSet<Nb101Arch> {
  if (dataset !== 'cifar10') throw new UserError(`unknown NAS-Bench-101 dataset "${dataset}": use cifar10`);
  if (target !== 'val') throw new UserError('the shipped NAS-Bench-101 subset has validation accuracy only: use --target val (the default for nb101)');
  const byKey = new Map<string, { cell: Nb101Arch; values: Set<number> }>();
  for (const row of readNb101SubsetRows(join(dataDir, 'nasbench101', NB101_SUBSET_FILE))) {
    const entry = byKey.get(row.key) ?? { cell: row.cell, values: new Set<number>() };
    entry.values.add(row.valAcc);
    byKey.set(row.key, entry);
  }
  const entries = [...byKey.values()];
  return {
    space: nb101Space,
    archs: entries.map((e) => e.cell),
    targets: entries.map((e) => mean([...e.values])),
    description: 'validation accuracy (shipped 500-line subset; not the whole-space protocol)',
  };
}

export interface EvalOptions {
  readonly trainSize: number;
  readonly seeds: readonly number[];
  readonly variant: Variant;
  readonly config?: ConfigOverrides;
  readonly cacheDir?: string | null;
  readonly log?: (line: string) => void;
  /**
   * Stage-1 seed shared by every evaluation seed (one pre-trained encoder per space, as a
   * search uses it); by default each seed pre-trains its own.
   */
  readonly pretrainSeed?: number;
  /** Builds the predictor for one seed (default: ArchPredictor.create). */
  readonly createPredictor?: <A>(space: SearchSpace<A>, options: PredictorOptions) => Promise<Pick<ArchPredictor<A>, 'fit' | 'score' | 'dispose'>>;
}

export interface EvalRun {
  readonly seed: number;
  readonly kendallTau: number;
  readonly spearman: number;
  readonly fitSeconds: number;
  /** Indices (into the labelled set) trained on, and scored. */
  readonly trainIndices: readonly number[];
  readonly testIndices: readonly number[];
}

export interface EvalSummary {
  readonly variant: Variant;
  /** Stage-1 seed shared by all seeds, or null when each seed pre-trained its own (or none). */
  readonly pretrainSeed: number | null;
  readonly target: string;
  readonly trainSize: number;
  readonly testSize: number;
  readonly seeds: readonly number[];
  readonly kendallTau: { mean: number; std: number };
  readonly spearman: { mean: number; std: number };
  readonly wallSeconds: number;
  readonly runs: readonly Omit<EvalRun, 'trainIndices' | 'testIndices'>[];
}

/**
 * Per seed: draw `trainSize` labelled architectures, fit, score every other architecture of
 * the set, and correlate the scores with the targets. Nothing trained on is ever scored.
 */
export async function evaluatePredictor<A>(data: LabelledSet<A>, options: EvalOptions): Promise<{ summary: EvalSummary; runs: EvalRun[] }> {
  const n = data.archs.length;
  if (!Number.isInteger(options.trainSize) || options.trainSize < 2 || options.trainSize > n - 2) {
    throw new UserError(`--train-size ${options.trainSize} is out of range: ${data.space.name} has ${n} labelled architectures here, use 2..${n - 2}`);
  }
  if (options.seeds.length === 0) throw new UserError('no seeds given: pass --seeds A..B');
  const start = performance.now();
  const create = options.createPredictor ?? ((space, o) => ArchPredictor.create(space, o));
  const runs: EvalRun[] = [];
  const cfg = variantConfig(options.variant, options.config);
  const shared =
    options.pretrainSeed !== undefined && usesPretraining(options.variant)
      ? await pretrainedEncoders(data.space, cfg, { seed: options.pretrainSeed, cacheDir: options.cacheDir, log: options.log })
      : undefined;
  for (const seed of options.seeds) {
    const split = Rng.seeded(seed ^ 0x5eed);
    const all = Array.from({ length: n }, (_, i) => i);
    const trainIndices = split.sample(all, options.trainSize);
    const inTrain = new Set(trainIndices);
    const testIndices = all.filter((i) => !inTrain.has(i));
    const predictor = await create(data.space, { variant: options.variant, seed, config: options.config, cacheDir: options.cacheDir, log: options.log, encoders: shared });
    const fitStart = performance.now();
    await predictor.fit(
      trainIndices.map((i) => data.archs[i]),
      trainIndices.map((i) => data.targets[i]),
    );
    const fitSeconds = (performance.now() - fitStart) / 1000;
    const scores = Array.from(predictor.score(testIndices.map((i) => data.archs[i])));
    predictor.dispose();
    const truth = testIndices.map((i) => data.targets[i]);
    const run = { seed, kendallTau: kendallTau(scores, truth), spearman: spearman(scores, truth), fitSeconds, trainIndices, testIndices };
    options.log?.(`seed ${seed}: Kendall tau ${run.kendallTau.toFixed(4)}, Spearman ${run.spearman.toFixed(4)} (fit ${fitSeconds.toFixed(1)} s)`);
    runs.push(run);
  }
  const taus = runs.map((r) => r.kendallTau);
  const rhos = runs.map((r) => r.spearman);
  return {
    runs,
    summary: {
      variant: options.variant,
      pretrainSeed: shared ? (options.pretrainSeed ?? null) : null,
      target: data.description,
      trainSize: options.trainSize,
      testSize: n - options.trainSize,
      seeds: options.seeds,
      kendallTau: { mean: mean(taus), std: std(taus) },
      spearman: { mean: mean(rhos), std: std(rhos) },
      wallSeconds: (performance.now() - start) / 1000,
      runs: runs.map(({ trainIndices: _t, testIndices: _s, ...rest }) => rest),
    },
  };
}
