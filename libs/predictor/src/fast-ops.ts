import { tf } from '@dcl-enas/tf-backend';

/*
 * tfjs-wasm runs matMul with a transpose flag far slower than a plain one, and matMul's
 * built-in gradient uses those flags. These versions transpose explicitly instead.
 */

/** x [R, I] times w [I, O]. */
export const dense = tf.customGrad((x: tf.Tensor, w: tf.Tensor, save: tf.GradSaveFunc) => {
  save([x, w]);
  return {
    value: tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sx, sw] = saved as tf.Tensor2D[];
      return [tf.matMul(dy as tf.Tensor2D, tf.transpose(sw)), tf.matMul(tf.transpose(sx), dy as tf.Tensor2D)];
    },
  };
}) as (x: tf.Tensor2D, w: tf.Tensor2D) => tf.Tensor2D;

/**
 * Message passing for a batch of graphs: out[b] = m[b] @ h[b], with m [B, N, N] a constant
 * (no gradient) and mT its transpose, passed in so the backward pass needs no transpose.
 */
export const propagate = tf.customGrad((m: tf.Tensor, mT: tf.Tensor, h: tf.Tensor, save: tf.GradSaveFunc) => {
  save([mT]);
  return {
    value: tf.matMul(m as tf.Tensor3D, h as tf.Tensor3D),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [tf.zerosLike(m), tf.zerosLike(mT), tf.matMul(saved[0] as tf.Tensor3D, dy as tf.Tensor3D)],
  };
}) as (m: tf.Tensor3D, mT: tf.Tensor3D, h: tf.Tensor3D) => tf.Tensor3D;
