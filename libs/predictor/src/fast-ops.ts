import { dense, tf } from '@dcl-enas/tf-backend';

/*
 * tfjs-wasm runs matMul with a transpose flag far slower than a plain one, and matMul's
 * built-in gradient uses those flags. These versions transpose explicitly instead.
 */

type Input = tf.Tensor | tf.GradSaveFunc;

/** Re-exported from tf-backend, where it is shared with the other model code. */
export { dense };

/**
 * Message passing for a batch of graphs: returns h => m @ h (batched over graphs), with m
 * [B, N, N] a constant and mT its transpose, so the backward pass (mT @ dy) needs no transpose.
 */
export function propagator(m: tf.Tensor3D, mT: tf.Tensor3D): (h: tf.Tensor3D) => tf.Tensor3D {
  return tf.customGrad((...args: Input[]) => ({
    value: tf.matMul(m, args[0] as tf.Tensor3D),
    gradFunc: (dy: tf.Tensor3D) => [tf.matMul(mT, dy)],
  })) as (h: tf.Tensor3D) => tf.Tensor3D;
}

/** Row-wise log-sum-exp over axis 1 whose gradient is the softmax (tfjs's goes through max/equal). */
export const logSumExpRows = tf.customGrad((...args: Input[]) => {
  const [x, save] = args as [tf.Tensor2D, tf.GradSaveFunc];
  save([x]);
  return {
    value: tf.logSumExp(x, 1) as tf.Tensor1D,
    gradFunc: (dy: tf.Tensor1D, saved: tf.Tensor[]) => [tf.mul(tf.expandDims(dy, 1), tf.softmax(saved[0] as tf.Tensor2D))],
  };
}) as (x: tf.Tensor2D) => tf.Tensor1D;
