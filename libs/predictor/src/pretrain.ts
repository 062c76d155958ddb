import type { Rng } from '@dcl-enas/common';
import type { SearchSpace } from '@dcl-enas/spaces';
import { tf } from '@dcl-enas/tf-backend';
import { augment } from './augment';
import type { PredictorConfig } from './config';
import { ENCODER_PREFIX, embeddingSize, encode, head, initHead } from './encoder';
import { disposeBatch, packGraphs, type GraphBatch } from './graph-batch';
import { copyGraph, pruneGraph, type GraphCodec, type WorkGraph } from './graph-codec';
import { ntXent } from './losses';
import type { Params } from './params';

const PROJ = 'proj/';

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

/**
 * One stage-1 update on a batch holding view A of B graphs followed by view B of the same
 * graphs; returns the loss.
 */
export function stage1Step(params: Params, cfg: PredictorConfig, batch: GraphBatch, optimizer: tf.Optimizer, vars: tf.Variable[]): number {
  const loss = optimizer.minimize(
    () => {
      const z = head(params, PROJ, encode(params, cfg.encoder, batch));
      const [a, b] = tf.split(z, 2, 0) as [tf.Tensor2D, tf.Tensor2D];
      return ntXent(a, b, cfg.pretrain.temperature);
    },
    true,
    vars,
  ) as tf.Scalar;
  const value = loss.dataSync()[0];
  loss.dispose();
  return value;
}

export const PROJECTION_PREFIX = PROJ;

/**
 * Stage 1: two augmented views of every graph per epoch, encoder + projection head, NT-Xent.
 * Trains the `enc/` weights in `params` in place; the projection head is discarded afterwards.
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
  const vars = params.select(ENCODER_PREFIX, PROJ);
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
      const views = [...ids.map((i) => augment(graphs[i], codec, rng, p.augment)), ...ids.map((i) => augment(graphs[i], codec, rng, p.augment))];
      const batch = packGraphs(views, codec);
      lossSum += stage1Step(params, cfg, batch, optimizer, vars);
      steps++;
      disposeBatch(batch);
    }
    const report = { epoch, loss: lossSum / Math.max(1, steps), seconds: (performance.now() - start) / 1000 };
    reports.push(report);
    onEpoch(report);
  }
  optimizer.dispose();
  for (const name of [...params.vars.keys()].filter((k) => k.startsWith(PROJ))) {
    params.get(name).dispose();
    params.vars.delete(name);
  }
  return reports;
}
