import { UserError } from '@dcl-enas/common';
import type { AugmentConfig } from './augment';
import type { EncoderConfig } from './encoder';

export const VARIANTS = ['dcl', 'no-pretrain', 'regression'] as const;
export type Variant = (typeof VARIANTS)[number];

export type RankLoss = 'listwise' | 'pairwise' | 'mse';

/** Stage-1 contrast: augmented view vs augmented view, GNN vs path encoding, or both. */
export type PretrainObjective = 'augment' | 'path' | 'both';

export interface PretrainConfig {
  readonly objective: PretrainObjective;
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly temperature: number;
  /** Projection head output width (the head is dropped after stage 1). */
  readonly projection: number;
  readonly augment: AugmentConfig;
  /** Unlabelled graphs for spaces too large to enumerate (sampled, distinct). */
  readonly sampleSize: number;
  /**
   * Independently pre-trained encoders (stage-1 seeds s, s+1, ...); ensemble member k starts
   * from encoder k mod n. Members that share one encoder agree too much to gain from
   * averaging (docs/results/predictor.md). Not part of an encoder's fingerprint.
   */
  readonly encoders: number;
}

export interface FinetuneConfig {
  readonly loss: RankLoss;
  readonly epochs: number;
  /** Fine-tuning epochs for `refresh` (continuing from the current weights). */
  readonly refreshEpochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  /** Learning rate of the (pre-trained) encoder relative to the score head. */
  readonly encoderLrScale: number;
  readonly temperature: number;
  /** Fraction of the labelled set held out for early stopping. */
  readonly holdout: number;
  /** Epochs without a better (smoothed) held-out Kendall tau before stopping. */
  readonly patience: number;
  /** Weight of the past in the exponential moving average of the held-out tau (0: raw tau). */
  readonly smoothing: number;
  readonly headHidden: number;
  /**
   * Early stopping on held-out slices only decides the epoch count; then every member is
   * retrained from its starting weights on all labels for that many epochs (at least
   * `minEpochs`). Off: members keep their early-stopped weights (trained on 1 - holdout).
   */
  readonly refit: boolean;
  /** Epochs at the start of each fine-tuning that train the score head only (pre-trained encoders). */
  readonly warmupEpochs: number;
  readonly minEpochs: number;
  /**
   * Weight of the stage-1 contrast kept on during fine-tuning (dcl only): each step adds the
   * NT-Xent of `auxBatch` unlabelled graphs' two views, so the few labels cannot pull the
   * embedding away from the structure learned without them. 0 turns it off.
   */
  readonly auxWeight: number;
  readonly auxBatch: number;
  /** Independently fine-tuned members (each with its own held-out slice) whose scores are averaged. */
  readonly ensemble: number;
}

export interface PredictorConfig {
  readonly variant: Variant;
  readonly encoder: EncoderConfig;
  /** Drop zero-op nodes and nodes off every input-output path before encoding. */
  readonly prune: boolean;
  readonly pretrain: PretrainConfig;
  readonly finetune: FinetuneConfig;
}

const ENCODER: EncoderConfig = { hidden: 32, layers: 4 };

const PRETRAIN: PretrainConfig = {
  objective: 'augment',
  epochs: 15,
  batchSize: 256,
  learningRate: 2e-3,
  temperature: 0.2,
  projection: 64,
  augment: { dropNode: 0, dropEdge: 0.2, substituteOp: 0.15, permute: true },
  sampleSize: 20000,
  encoders: 3,
};

/**
 * Three members trained on every label for a fixed 100 epochs: on fresh seeds as good as early
 * stopping on a held-out fifth plus a refit, at a third of the steps (docs/results/predictor.md).
 * Set `holdout` above 0 for early stopping (then `patience`, `smoothing` and `refit` apply).
 */
const FINETUNE: FinetuneConfig = {
  loss: 'listwise',
  epochs: 100,
  refreshEpochs: 30,
  batchSize: 256,
  learningRate: 2e-3,
  encoderLrScale: 0.5,
  temperature: 1,
  holdout: 0,
  patience: 60,
  smoothing: 0.9,
  headHidden: 64,
  ensemble: 3,
  refit: false,
  warmupEpochs: 0,
  minEpochs: 20,
  auxWeight: 0,
  auxBatch: 64,
};

/** The preset of each variant; `overrides` patches it (benchmarks and tests use small configs). */
export function variantConfig(variant: Variant, overrides: ConfigOverrides = {}): PredictorConfig {
  if (!(VARIANTS as readonly string[]).includes(variant)) {
    throw new UserError(`unknown predictor variant "${variant}": use one of ${VARIANTS.join(', ')}`);
  }
  const finetune: FinetuneConfig = { ...FINETUNE, ...(variant === 'regression' ? { loss: 'mse' as const } : {}), ...overrides.finetune };
  return {
    variant,
    encoder: { ...ENCODER, ...overrides.encoder },
    prune: overrides.prune ?? true,
    pretrain: { ...PRETRAIN, ...overrides.pretrain, augment: { ...PRETRAIN.augment, ...overrides.pretrain?.augment } },
    finetune,
  };
}

export interface ConfigOverrides {
  readonly encoder?: Partial<EncoderConfig>;
  readonly prune?: boolean;
  readonly pretrain?: Partial<Omit<PretrainConfig, 'augment'>> & { augment?: Partial<AugmentConfig> };
  readonly finetune?: Partial<FinetuneConfig>;
}

/**
 * The fine-tuning schedule of a search. The search refits the predictor every cycle on a few
 * more labels, so it trains one member on every label for a fixed number of epochs and
 * warm-starts each refresh from the last weights, instead of the evaluation preset's early
 * stopping on a held-out slice, ensemble of three and refit. Chosen with `tools/tune-dcl.ts`
 * on tuning seeds 100..109 (docs/results/search.md).
 */
export const SEARCH_SCHEDULE: ConfigOverrides = {
  finetune: { ensemble: 1, refit: false, holdout: 0, epochs: 100, refreshEpochs: 20 },
};

/** `patch` over `base`, field by field (nested sections merge rather than replace). */
export function mergeOverrides(base: ConfigOverrides, patch: ConfigOverrides = {}): ConfigOverrides {
  return {
    encoder: { ...base.encoder, ...patch.encoder },
    prune: patch.prune ?? base.prune,
    pretrain: { ...base.pretrain, ...patch.pretrain, augment: { ...base.pretrain?.augment, ...patch.pretrain?.augment } },
    finetune: { ...base.finetune, ...patch.finetune },
  };
}

export const usesPretraining = (variant: Variant): boolean => variant === 'dcl';

/** Distinct stage-1 encoders a predictor of this config starts its members from (0 without stage 1). */
export const encodersNeeded = (cfg: PredictorConfig): number =>
  usesPretraining(cfg.variant) ? Math.max(1, Math.min(cfg.pretrain.encoders, cfg.finetune.ensemble)) : 0;
