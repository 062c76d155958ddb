import { UserError } from '@dcl-enas/common';
import type { SearchSpace } from '@dcl-enas/spaces';
import { initTf } from '@dcl-enas/tf-backend';
import type { Observation, PredictorProvider, RankingPredictor } from '@dcl-enas/search';
import { mergeOverrides, SEARCH_SCHEDULE, VARIANTS, variantConfig, usesPretraining, type Variant, type ConfigOverrides } from './config';
import { ArchPredictor } from './predictor';
import { pretrainedEncoders, type PretrainedEncoder } from './pretrained-encoder';

export interface InProcessPredictorOptions {
  /** Stage-1 cache directory (null: no cache); default ENAS_CACHE_DIR or ~/.cache/dcl-enas. */
  readonly cacheDir?: string | null;
  /** Seed of stage 1: fixed, so one pre-trained encoder serves every search seed. */
  readonly pretrainSeed?: number;
  /** Patches over the search schedule (SEARCH_SCHEDULE over the variant preset). */
  readonly config?: ConfigOverrides;
  readonly log?: (line: string) => void;
}

/**
 * The ranking predictors of the embedded mode: an ArchPredictor per strategy, fitted on the
 * first call and refreshed with only the new labels afterwards. Stage 1 runs once per process
 * and space (and is cached on disk across processes). Fine-tuning follows SEARCH_SCHEDULE.
 */
export function inProcessPredictors<A>(space: SearchSpace<A>, options: InProcessPredictorOptions = {}): PredictorProvider {
  const config = mergeOverrides(SEARCH_SCHEDULE, options.config);
  const encoders = new Map<Variant, Promise<PretrainedEncoder[]>>();
  const encoderFor = (variant: Variant) => {
    let e = encoders.get(variant);
    if (!e) {
      e = initTf({ log: options.log }).then(() =>
        pretrainedEncoders(space, variantConfig(variant, config), { seed: options.pretrainSeed ?? 0, cacheDir: options.cacheDir, log: options.log }),
      );
      encoders.set(variant, e);
    }
    return e;
  };

  return <B>(request: { space: string; variant: string; seed: number }): RankingPredictor<B> => {
    if (request.space !== space.name) throw new Error(`predictor for ${space.name} asked for space ${request.space}`);
    if (!(VARIANTS as readonly string[]).includes(request.variant)) throw new UserError(`unknown predictor variant "${request.variant}": use one of ${VARIANTS.join(', ')}`);
    const variant = request.variant as Variant;
    let predictor: Promise<ArchPredictor<A>> | null = null;
    let fitted = 0;
    const get = () =>
      (predictor ??= (async () =>
        ArchPredictor.create(space, {
          variant,
          seed: request.seed,
          config,
          encoders: usesPretraining(variant) ? await encoderFor(variant) : undefined,
          log: options.log,
        }))());
    return {
      async fit(observations: readonly Observation<B>[]) {
        const p = await get();
        const fresh = observations.slice(fitted) as unknown as readonly Observation<A>[];
        if (fitted === 0) await p.fit(fresh.map((o) => o.arch), fresh.map((o) => o.valAcc));
        else if (fresh.length > 0) await p.refresh(fresh.map((o) => o.arch), fresh.map((o) => o.valAcc));
        fitted = observations.length;
      },
      async score(archs: readonly B[]) {
        return (await get()).score(archs as unknown as readonly A[]);
      },
    };
  };
}
