import { tf } from '@dcl-enas/tf-backend';
import { dense, logSumExpRows } from './fast-ops';

const NEG = -1e9;

/**
 * NT-Xent (InfoNCE over 2B views): views a[i] and b[i] are positives, the other 2B - 2 views
 * of the batch negatives; cosine similarity over temperature; mean over all 2B anchors.
 */
export function ntXent(a: tf.Tensor2D, b: tf.Tensor2D, temperature: number): tf.Scalar {
  const batch = a.shape[0];
  const z = tf.div(tf.concat([a, b], 0), tf.add(tf.norm(tf.concat([a, b], 0), 'euclidean', 1, true), 1e-8)) as tf.Tensor2D;
  const sim = tf.div(dense(z, tf.transpose(z)), temperature) as tf.Tensor2D;
  const noSelf = tf.add(sim, tf.mul(tf.eye(2 * batch), NEG)) as tf.Tensor2D;
  const za = tf.slice(z, [0, 0], [batch, -1]);
  const zb = tf.slice(z, [batch, 0], [batch, -1]);
  const positive = tf.div(tf.sum(tf.mul(za, zb), 1), temperature);
  const lse = logSumExpRows(noSelf);
  return tf.mean(tf.sub(lse, tf.concat([positive, positive], 0))) as tf.Scalar;
}

/** For each i, which j count as worse (and i itself), plus which anchors have anyone worse. */
function worseMask(targets: ArrayLike<number>): { mask: tf.Tensor2D; anchors: tf.Tensor1D; anchorCount: number } {
  const n = targets.length;
  const m = new Float32Array(n * n);
  const w = new Float32Array(n);
  let count = 0;
  for (let i = 0; i < n; i++) {
    m[i * n + i] = 1;
    for (let j = 0; j < n; j++) {
      if (targets[j] < targets[i]) {
        m[i * n + j] = 1;
        w[i] = 1;
      }
    }
    count += w[i];
  }
  return { mask: tf.tensor2d(m, [n, n]), anchors: tf.tensor1d(w), anchorCount: count };
}

/**
 * Relative-performance contrast, list-wise: for every architecture i with something worse in
 * the batch, a softmax over {i} and every j worse than i (logits score / temperature) with
 * target i; mean over those anchors. This is the Plackett-Luce / ListMLE likelihood.
 */
export function listwiseContrast(scores: tf.Tensor1D, targets: ArrayLike<number>, temperature: number): tf.Scalar {
  const { mask, anchors, anchorCount } = worseMask(targets);
  if (anchorCount === 0) {
    tf.dispose([mask, anchors]);
    return tf.mul(tf.sum(scores), 0) as tf.Scalar;
  }
  const logits = tf.div(scores, temperature) as tf.Tensor1D;
  const rows = tf.add(tf.expandDims(logits, 0), tf.mul(tf.sub(1, mask), NEG)) as tf.Tensor2D;
  const perAnchor = tf.sub(logSumExpRows(rows), logits);
  return tf.div(tf.sum(tf.mul(perAnchor, anchors)), anchorCount) as tf.Scalar;
}

/** Pairwise variant: mean over every pair (better i, worse j) of log(1 + exp(-(s_i - s_j) / t)). */
export function pairwiseLogistic(scores: tf.Tensor1D, targets: ArrayLike<number>, temperature: number): tf.Scalar {
  const n = targets.length;
  const p = new Float32Array(n * n);
  let pairs = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (targets[i] > targets[j]) {
        p[i * n + j] = 1;
        pairs++;
      }
    }
  }
  if (pairs === 0) return tf.mul(tf.sum(scores), 0) as tf.Scalar;
  const diff = tf.div(tf.sub(tf.expandDims(scores, 1), tf.expandDims(scores, 0)), temperature);
  return tf.div(tf.sum(tf.mul(tf.softplus(tf.neg(diff)), tf.tensor2d(p, [n, n]))), pairs) as tf.Scalar;
}

/** Mean squared error against targets (the regression ablation; targets standardised by the caller). */
export function meanSquaredError(scores: tf.Tensor1D, targets: ArrayLike<number>): tf.Scalar {
  return tf.mean(tf.square(tf.sub(scores, tf.tensor1d(Float32Array.from(targets))))) as tf.Scalar;
}
