import type { Rng } from '@dcl-enas/common';
import { tf } from '@dcl-enas/tf-backend';
import { dense, propagator } from './fast-ops';
import type { GraphBatch } from './graph-batch';
import type { Params } from './params';

export interface EncoderConfig {
  /** Node state width. */
  readonly hidden: number;
  /** GIN layers (message-passing rounds). */
  readonly layers: number;
}

/** Width of the graph embedding: the sum-readout of every layer, concatenated. */
export const embeddingSize = (cfg: EncoderConfig): number => cfg.hidden * cfg.layers;

export const ENCODER_PREFIX = 'enc/';

export function initEncoder(params: Params, cfg: EncoderConfig, opCount: number, rng: Rng): void {
  params.matrix('enc/embed', opCount, cfg.hidden, rng);
  for (let l = 0; l < cfg.layers; l++) {
    // forward and reverse aggregates, concatenated, go through one two-layer MLP
    params.matrix(`enc/l${l}/w1`, 2 * cfg.hidden, cfg.hidden, rng);
    params.zeros(`enc/l${l}/b1`, cfg.hidden);
    params.matrix(`enc/l${l}/w2`, cfg.hidden, cfg.hidden, rng);
    params.zeros(`enc/l${l}/b2`, cfg.hidden);
  }
}

/**
 * GIN over the node-op DAG in both edge directions: each layer sums every node with its
 * predecessors (forward) and with its successors (reverse), concatenates the two, and updates
 * with an MLP. Each graph's embedding is the concatenated sum over its nodes after every layer.
 * All graphs of the batch share each dense op: [B*N, F] rows, one batched matmul per direction.
 */
export function encode(params: Params, cfg: EncoderConfig, batch: GraphBatch): tf.Tensor2D {
  const b = batch.size;
  const n = batch.maxNodes;
  const forward = propagator(batch.forward, batch.reverse);
  const reverse = propagator(batch.reverse, batch.forward);
  const h0 = dense(batch.features, params.get('enc/embed') as tf.Tensor2D);
  let h = h0;
  const readouts: tf.Tensor2D[] = [];
  for (let l = 0; l < cfg.layers; l++) {
    const h3 = tf.reshape(h, [b, n, cfg.hidden]) as tf.Tensor3D;
    const fwd = forward(h3);
    const rev = reverse(h3);
    const both = tf.reshape(tf.concat([fwd, rev], 2), [b * n, 2 * cfg.hidden]) as tf.Tensor2D;
    const u = tf.relu(tf.add(dense(both, params.get(`enc/l${l}/w1`) as tf.Tensor2D), params.get(`enc/l${l}/b1`))) as tf.Tensor2D;
    const v = tf.relu(tf.add(dense(u, params.get(`enc/l${l}/w2`) as tf.Tensor2D), params.get(`enc/l${l}/b2`))) as tf.Tensor2D;
    h = tf.mul(v, batch.mask);
    readouts.push(tf.sum(tf.reshape(h, [b, n, cfg.hidden]), 1) as tf.Tensor2D);
  }
  return tf.concat(readouts, 1) as tf.Tensor2D;
}

/** A small MLP head: embedding -> hidden (relu) -> out. */
export function initHead(params: Params, prefix: string, inSize: number, hidden: number, out: number, rng: Rng): void {
  params.matrix(`${prefix}w1`, inSize, hidden, rng);
  params.zeros(`${prefix}b1`, hidden);
  params.matrix(`${prefix}w2`, hidden, out, rng);
  params.zeros(`${prefix}b2`, out);
}

export function head(params: Params, prefix: string, x: tf.Tensor2D): tf.Tensor2D {
  const u = tf.relu(tf.add(dense(x, params.get(`${prefix}w1`) as tf.Tensor2D), params.get(`${prefix}b1`))) as tf.Tensor2D;
  return tf.add(dense(u, params.get(`${prefix}w2`) as tf.Tensor2D), params.get(`${prefix}b2`)) as tf.Tensor2D;
}
