import type { SearchSpace } from '@dcl-enas/spaces';
import type { PredictorRequest, RankingPredictor } from '@dcl-enas/search';

/** A predictor whose whole state can be saved and restored, so any replica can continue it. */
export interface PersistentPredictor<A> extends RankingPredictor<A> {
  /** Everything later `fit`/`score` calls depend on (weights, optimiser and random state). */
  save(): Promise<Uint8Array>;
  dispose(): void;
}

/**
 * A predictor implementation the services host (and embedded mode runs in-process). The
 * contract that makes cluster runs equal embedded ones: `restore(save(p))` behaves exactly as
 * `p`, and everything is seeded from the request.
 */
export interface PredictorEngine {
  readonly name: string;
  /** Cache identity of the stage-1 encoder for `request` (same key, same encoder), or null if the variant uses none. */
  encoderKey(space: SearchSpace<unknown>, request: PredictorRequest): string | null;
  /** Stage 1 (no labels): the serialised encoder for `request`; null if the variant uses none. */
  pretrain<A>(space: SearchSpace<A>, request: PredictorRequest): Promise<Uint8Array | null>;
  /** A fresh, unfitted predictor starting from `encoder` (the `pretrain` output). */
  create<A>(space: SearchSpace<A>, request: PredictorRequest, encoder: Uint8Array | null): Promise<PersistentPredictor<A>>;
  /**
   * The predictor `save()` produced, ready to continue; `encoder` is what `create` was given.
   * `base`, when given, is a live predictor of the same session at an earlier fit, which the
   * engine may continue instead of starting over (it then owns it).
   */
  restore<A>(space: SearchSpace<A>, request: PredictorRequest, state: Uint8Array, encoder: Uint8Array | null, base?: PersistentPredictor<A>): Promise<PersistentPredictor<A>>;
}
