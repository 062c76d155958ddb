import { tf } from './select-backend';

type Input = tf.Tensor | tf.GradSaveFunc;

/**
 * x [R, I] times w [I, O]. tfjs-wasm runs matMul with a transpose flag far slower than a plain
 * one, and matMul's built-in gradient uses those flags; this gradient transposes explicitly.
 */
export const dense = tf.customGrad((...args: Input[]) => {
  const [x, w, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
  save([x, w]);
  return {
    value: tf.matMul(x, w),
    gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
      const [sx, sw] = saved as tf.Tensor2D[];
      return [tf.matMul(dy, tf.transpose(sw)), tf.matMul(tf.transpose(sx), dy)];
    },
  };
}) as (x: tf.Tensor2D, w: tf.Tensor2D) => tf.Tensor2D;
