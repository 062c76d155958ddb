import { tf } from '@dcl-enas/tf-backend';
import type { GraphCodec, WorkGraph } from './graph-codec';

/** A batch of graphs as the encoder's dense inputs. Dispose after use. */
export interface GraphBatch {
  readonly size: number;
  readonly maxNodes: number;
  /** [B * N, opCount] one-hot node ops (padding rows are zero). */
  readonly features: tf.Tensor2D;
  /** [B, N, N] forward propagation I + A^T: each node sums itself and its predecessors. */
  readonly forward: tf.Tensor3D;
  /** [B, N, N] reverse propagation I + A: each node sums itself and its successors. */
  readonly reverse: tf.Tensor3D;
  /** [B * N, 1] 1 for real nodes, 0 for padding. */
  readonly mask: tf.Tensor2D;
}

export function packGraphs(graphs: readonly WorkGraph[], codec: GraphCodec): GraphBatch {
  const b = graphs.length;
  const n = codec.maxNodes;
  const k = codec.opCount;
  const feats = new Float32Array(b * n * k);
  const fwd = new Float32Array(b * n * n);
  const rev = new Float32Array(b * n * n);
  const mask = new Float32Array(b * n);
  graphs.forEach((g, gi) => {
    const base = gi * n * n;
    for (let i = 0; i < g.nodeCount; i++) {
      const op = g.ops[i];
      if (op >= 0) feats[(gi * n + i) * k + op] = 1;
      mask[gi * n + i] = 1;
      fwd[base + i * n + i] = 1;
      rev[base + i * n + i] = 1;
      for (let j = 0; j < g.nodeCount; j++) {
        if (g.adjacency[i * n + j]) {
          fwd[base + j * n + i] = 1;
          rev[base + i * n + j] = 1;
        }
      }
    }
  });
  return {
    size: b,
    maxNodes: n,
    features: tf.tensor2d(feats, [b * n, k]),
    forward: tf.tensor3d(fwd, [b, n, n]),
    reverse: tf.tensor3d(rev, [b, n, n]),
    mask: tf.tensor2d(mask, [b * n, 1]),
  };
}

export function disposeBatch(batch: GraphBatch): void {
  tf.dispose([batch.features, batch.forward, batch.reverse, batch.mask]);
}
