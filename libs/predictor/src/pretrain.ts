import type { Rng } from '@dcl-enas/common';
import type { SearchSpace } from '@dcl-enas/spaces';
import { tf } from '@dcl-enas/tf-backend';
import { augment } from './augment';
import type { PredictorConfig } from './config';
import { ENCODER_PREFIX, embeddingSize, encode, head, initHead } from './encoder';
import { disposeBatch, packGraphs, type GraphBatch } from './graph-batch';
import { pathFeatures, pathVocab, type PathVocab } from './path-encoding';
import { copyGraph, pruneGraph, type GraphCodec, type WorkGraph } from './graph-codec';
import { ntXent } from './losses';
import type { Params } from './params';

const PROJ = 'proj/';
const PATH = 'path/';

/**
 * The unlabelled set for stage 1: every architecture where the space can be enumerated within
 * `sampleSize`, else `sampleSize` distinct random ones; as encoder graphs, without duplicates
 * (identical graphs in one batch would be negatives of each other).
 */
export function unlabelledGraphs<A>(space: SearchSpace<A>, codec: GraphCodec, cfg: PredictorConfig, rng: Rng): WorkGraph[] {
  const seen = new Set<string>();
  const out: WorkGraph[] = [];
  const add = (arch: A) => {
    const g = toWorkGraph(space, codec, cfg, arch);
    const id = graphId(g);
    if (seen.has(id)) return;
    seen.add(id);
    out.push(g);
  };
  const enumerable = space.enumerate && space.size !== undefined && space.size <= cfg.pretrain.sampleSize;
  if (enumerable && space.enumerate) {
    for (const arch of space.enumerate()) add(arch);
    return out;
  }
  const keys = new Set<string>();
  for (let tries = 0; keys.size < cfg.pretrain.sampleSize && tries < cfg.pretrain.sampleSize * 20; tries++) {
    const arch = space.sample(rng);
    const key = space.key(arch);
    if (keys.has(key)) continue;
    keys.add(key);
    add(arch);
  }
  return out;
}

export function toWorkGraph<A>(space: SearchSpace<A>, codec: GraphCodec, cfg: PredictorConfig, arch: A): WorkGraph {
  const g = space.toGraph(arch);
  return cfg.prune ? pruneGraph(g, codec) : copyGraph(g);
}

export const graphId = (g: WorkGraph): string => `${g.nodeCount}|${Array.from(g.ops).join(',')}|${Buffer.from(g.adjacency).toString('base64')}`;

export interface EpochReport {
  readonly epoch: number;
  readonly loss: number;
  readonly seconds: number;
}

/** One stage-1 batch: views A then views B of the same B graphs, and their path encodings. */
export interface Stage1Batch {
  readonly views: GraphBatch;
  /** [B, vocab] log path counts of the un-augmented graphs (objectives `path` and `both`). */
  readonly paths: tf.Tensor2D | null;
}

/**
 * One stage-1 update; returns the loss. `augment`: NT-Xent between the two augmented views.
 * `path`: NT-Xent between the GNN embedding of view A and an MLP embedding of the path
 * encoding (the "hard" view), so the GNN must capture which op sequences connect input to
 * output. `both`: the sum of the two.
 */
export function stage1Step(params: Params, cfg: PredictorConfig, batch: Stage1Batch, optimizer: tf.Optimizer, vars: tf.Variable[]): number {
  const t = cfg.pretrain.temperature;
  const objective = cfg.pretrain.objective;
  const loss = optimizer.minimize(
    () => {
      const z = head(params, PROJ, encode(params, cfg.encoder, batch.views));
      const [a, b] = tf.split(z, 2, 0) as [tf.Tensor2D, tf.Tensor2D];
      if (objective === 'augment' || !batch.paths) return ntXent(a, b, t);
      const p = head(params, PATH, batch.paths);
      const cross = ntXent(a, p, t);
      return objective === 'path' ? cross : (tf.add(ntXent(a, b, t), tf.mul(tf.add(cross, ntXent(b, p, t)), 0.5)) as tf.Scalar);
    },
    true,
    vars,
  ) as tf.Scalar;
  const value = loss.dataSync()[0];
  loss.dispose();
  return value;
}

/** The augment-vs-augment NT-Xent of a stage-1 batch, as a term inside another loss. */
export function viewContrast(params: Params, cfg: PredictorConfig, views: GraphBatch): tf.Scalar {
  const z = head(params, PROJ, encode(params, cfg.encoder, views));
  const [a, b] = tf.split(z, 2, 0) as [tf.Tensor2D, tf.Tensor2D];
  return ntXent(a, b, cfg.pretrain.temperature);
}

/** Packs the stage-1 batch of graphs `ids`: two augmented views each, plus path encodings. */
export function stage1Batch(graphs: readonly WorkGraph[], ids: readonly number[], cfg: PredictorConfig, codec: GraphCodec, vocab: PathVocab, rng: Rng): Stage1Batch {
  const aug = cfg.pretrain.augment;
  const views = [...ids.map((i) => augment(graphs[i], codec, rng, aug)), ...ids.map((i) => augment(graphs[i], codec, rng, aug))];
  const paths = cfg.pretrain.objective === 'augment' ? null : tf.tensor2d(pathFeatures(ids.map((i) => graphs[i]), codec, vocab), [ids.length, vocab.size]);
  return { views: packGraphs(views, codec), paths };
}

export function disposeStage1Batch(b: Stage1Batch): void {
  disposeBatch(b.views);
  b.paths?.dispose();
}

export const PROJECTION_PREFIX = PROJ;
export const PATH_PREFIX = PATH;

/**
 * Stage 1: every graph once per epoch (two augmented views, and its path encoding), encoder +
 * projection head, NT-Xent as `pretrain.objective` says. Trains the `enc/` weights in `params`
 * and `proj/` weights in `params` in place; the path head is discarded afterwards.
 */
export function pretrain(
  params: Params,
  cfg: PredictorConfig,
  codec: GraphCodec,
  graphs: readonly WorkGraph[],
  rng: Rng,
  onEpoch: (r: EpochReport) => void = () => undefined,
): EpochReport[] {
  const p = cfg.pretrain;
  initHead(params, PROJ, embeddingSize(cfg.encoder), cfg.encoder.hidden, p.projection, rng);
  const vocab = pathVocab(codec);
  if (p.objective !== 'augment') initHead(params, PATH, vocab.size, cfg.encoder.hidden, p.projection, rng);
  const vars = params.select(ENCODER_PREFIX, PROJ, PATH);
  const optimizer = tf.train.adam(p.learningRate);
  const reports: EpochReport[] = [];
  const order = graphs.map((_, i) => i);
  for (let epoch = 0; epoch < p.epochs; epoch++) {
    const start = performance.now();
    rng.shuffle(order);
    let lossSum = 0;
    let steps = 0;
    // skip a last batch too small to give negatives
    for (let at = 0; at + 2 <= order.length; at += p.batchSize) {
      const ids = order.slice(at, at + p.batchSize);
      const batch = stage1Batch(graphs, ids, cfg, codec, vocab, rng);
      lossSum += stage1Step(params, cfg, batch, optimizer, vars);
      steps++;
      disposeStage1Batch(batch);
    }
    const report = { epoch, loss: lossSum / Math.max(1, steps), seconds: (performance.now() - start) / 1000 };
    reports.push(report);
    onEpoch(report);
  }
  optimizer.dispose();
  // the path head serves stage 1 only; the projection head stays for stage 2's auxiliary contrast
  for (const name of [...params.vars.keys()].filter((k) => k.startsWith(PATH))) {
    params.get(name).dispose();
    params.vars.delete(name);
  }
  return reports;
}
