import { kendallTau, mean, std, type Rng } from '@dcl-enas/common';
import { tf } from '@dcl-enas/tf-backend';
import type { FinetuneConfig, PredictorConfig } from './config';
import { ENCODER_PREFIX, encode, head } from './encoder';
import { disposeBatch, packGraphs, type GraphBatch } from './graph-batch';
import type { GraphCodec, WorkGraph } from './graph-codec';
import { listwiseContrast, meanSquaredError, pairwiseLogistic } from './losses';
import { augment } from './augment';
import { PROJECTION_PREFIX, viewContrast } from './pretrain';
import { disposeAll, type Params } from './params';

export const SCORE_PREFIX = 'score/';

export interface FinetuneReport {
  readonly epochs: number;
  readonly bestEpoch: number;
  /** Smoothed Kendall's tau on the held-out slice at the kept epoch (NaN when nothing was held out). */
  readonly holdoutTau: number;
  readonly trainSize: number;
  readonly holdoutSize: number;
  /** Epochs of the refit on every label (`finetune.refit`), when one ran. */
  readonly refitEpochs?: number;
  readonly seconds: number;
}

/** Score of every graph: [B] from the encoder and score head. Caller owns the tensor. */
export function scoreBatch(params: Params, cfg: PredictorConfig, batch: GraphBatch): tf.Tensor1D {
  return tf.reshape(head(params, SCORE_PREFIX, encode(params, cfg.encoder, batch)), [batch.size]) as tf.Tensor1D;
}

/** Scores of any number of graphs, in chunks so that memory stays bounded. */
export function scoreGraphs(params: Params, cfg: PredictorConfig, codec: GraphCodec, graphs: readonly WorkGraph[], chunk = 2048): Float32Array {
  const out = new Float32Array(graphs.length);
  for (let at = 0; at < graphs.length; at += chunk) {
    const batch = packGraphs(graphs.slice(at, at + chunk), codec);
    const t = tf.tidy(() => scoreBatch(params, cfg, batch));
    out.set(t.dataSync(), at);
    t.dispose();
    disposeBatch(batch);
  }
  return out;
}

function lossFor(ft: FinetuneConfig, scores: tf.Tensor1D, targets: Float32Array): tf.Scalar {
  if (ft.loss === 'listwise') return listwiseContrast(scores, targets, ft.temperature);
  if (ft.loss === 'pairwise') return pairwiseLogistic(scores, targets, ft.temperature);
  return meanSquaredError(scores, targets);
}

export interface Stage2Optimizers {
  readonly encoder: tf.Optimizer;
  readonly head: tf.Optimizer;
  readonly encoderVars: tf.Variable[];
  readonly headVars: tf.Variable[];
}

/** Adam for the score head, and Adam at `encoderLrScale` times the rate for the encoder. */
export function stage2Optimizers(params: Params, ft: FinetuneConfig): Stage2Optimizers {
  return {
    encoder: tf.train.adam(ft.learningRate * ft.encoderLrScale),
    head: tf.train.adam(ft.learningRate),
    encoderVars: params.select(ENCODER_PREFIX),
    headVars: params.select(SCORE_PREFIX, PROJECTION_PREFIX),
  };
}

/**
 * One stage-2 update on a labelled batch (targets standardised), plus the weighted stage-1
 * contrast of `aux` views when given; returns the loss.
 */
export function stage2Step(
  params: Params,
  cfg: PredictorConfig,
  batch: GraphBatch,
  targets: Float32Array,
  opt: Stage2Optimizers,
  aux: GraphBatch | null = null,
  headOnly = false,
): number {
  const lossFn = () => {
    const rank = lossFor(cfg.finetune, scoreBatch(params, cfg, batch), targets);
    return aux ? (tf.add(rank, tf.mul(viewContrast(params, cfg, aux), cfg.finetune.auxWeight)) as tf.Scalar) : rank;
  };
  // one forward/backward for both parameter groups, two learning rates
  const { value, grads } = tf.variableGrads(lossFn, [...opt.encoderVars, ...opt.headVars]);
  const named = (vars: tf.Variable[]) => vars.map((v) => ({ name: v.name, tensor: grads[v.name] }));
  if (cfg.finetune.encoderLrScale > 0 && !headOnly) opt.encoder.applyGradients(named(opt.encoderVars));
  opt.head.applyGradients(named(opt.headVars));
  const loss = value.dataSync()[0];
  tf.dispose([value, ...Object.values(grads)]);
  return loss;
}

function auxViews(unlabelled: readonly WorkGraph[], cfg: PredictorConfig, codec: GraphCodec, rng: Rng): GraphBatch {
  const picked = Array.from({ length: Math.min(cfg.finetune.auxBatch, unlabelled.length) }, () => unlabelled[rng.below(unlabelled.length)]);
  const aug = cfg.pretrain.augment;
  return packGraphs([...picked.map((g) => augment(g, codec, rng, aug)), ...picked.map((g) => augment(g, codec, rng, aug))], codec);
}

/**
 * Stage 2: fine-tunes encoder and score head on labelled graphs. A slice of the labelled set
 * (never anything else) is held out; the weights of the epoch with the best held-out Kendall
 * tau are kept, and training stops after `patience` epochs without improvement. With
 * `holdout` 0 it trains on every label for exactly `epochs` epochs.
 */
export function finetune(
  params: Params,
  cfg: PredictorConfig,
  codec: GraphCodec,
  graphs: readonly WorkGraph[],
  targets: readonly number[],
  epochs: number,
  rng: Rng,
  unlabelled: readonly WorkGraph[] = [],
  holdout = cfg.finetune.holdout,
  /** Leading epochs that train the score head only (a pre-trained encoder stays frozen while the fresh head learns to read it). */
  warmup = 0,
): FinetuneReport {
  const ft = cfg.finetune;
  const start = performance.now();
  const order = rng.shuffle(graphs.map((_, i) => i));
  const holdoutSize = graphs.length >= 10 ? Math.round(graphs.length * holdout) : 0;
  const held = order.slice(0, holdoutSize);
  const train = order.slice(holdoutSize);
  // standardised targets: the ranking losses ignore scale, MSE needs it
  const m = mean(targets);
  const s = std(targets) || 1;
  const z = targets.map((t) => (t - m) / s);

  const optimizers = stage2Optimizers(params, ft);
  const useAux = ft.auxWeight > 0 && unlabelled.length >= 2 && params.select(PROJECTION_PREFIX).length > 0;
  const heldBatch = held.length ? packGraphs(held.map((i) => graphs[i]), codec) : null;
  const heldTargets = held.map((i) => targets[i]);

  let best = { tau: -Infinity, epoch: -1, weights: null as Map<string, tf.Tensor> | null };
  let smoothed = 0;
  let epoch = 0;
  for (; epoch < epochs; epoch++) {
    rng.shuffle(train);
    for (let at = 0; at < train.length; at += ft.batchSize) {
      const ids = train.slice(at, at + ft.batchSize);
      if (ids.length < 2) continue;
      const batch = packGraphs(ids.map((i) => graphs[i]), codec);
      const aux = useAux ? auxViews(unlabelled, cfg, codec, rng) : null;
      stage2Step(params, cfg, batch, Float32Array.from(ids, (i) => z[i]), optimizers, aux, epoch < warmup);
      disposeBatch(batch);
      if (aux) disposeBatch(aux);
    }
    if (!heldBatch) continue;
    const raw = tf.tidy(() => kendallTau(Array.from(scoreBatch(params, cfg, heldBatch).dataSync()), heldTargets));
    // a small held-out slice gives a noisy tau; select on its exponential moving average
    smoothed = epoch === 0 ? raw : ft.smoothing * smoothed + (1 - ft.smoothing) * raw;
    const tau = smoothed;
    if (tau > best.tau) {
      if (best.weights) disposeAll(best.weights);
      best = { tau, epoch, weights: params.snapshot() };
    } else if (epoch - best.epoch >= ft.patience) {
      epoch++;
      break;
    }
  }
  if (best.weights) {
    params.restore(best.weights);
    disposeAll(best.weights);
  }
  if (heldBatch) disposeBatch(heldBatch);
  optimizers.encoder.dispose();
  optimizers.head.dispose();
  return {
    epochs: epoch,
    bestEpoch: best.epoch,
    holdoutTau: heldBatch ? best.tau : Number.NaN,
    trainSize: train.length,
    holdoutSize: held.length,
    seconds: (performance.now() - start) / 1000,
  };
}
