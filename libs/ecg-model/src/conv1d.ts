import { dense, tf } from '@dcl-enas/tf-backend';

/*
 * 1-D convolutions whose gradients run on tfjs-wasm. The wasm backend has no
 * Conv2DBackpropFilter or depthwise backprop kernels, and its Slice is slow, so im2col by
 * slicing costs more than the convolution itself. Every pass here is one forward
 * (depthwise) conv2d instead:
 * - dx is the correlation of dy with the flipped filter (in/out channels swapped);
 * - dw is a conv2d whose "image" is the padded input with channels moved to the batch axis
 *   and whose "filter" is dy: output position j is tap j of the weight gradient.
 * Shapes: x [B, L, Cin], w [k, Cin, Cout] (depthwise: [k, C]), output [B, L', Cout].
 */

type Input = tf.Tensor | tf.GradSaveFunc;
export type Padding = 'same' | 'valid';

/** Effective kernel length of a dilated kernel. */
export const span = (k: number, dilation: number): number => (k - 1) * dilation + 1;

function checkSame(k: number, dilation: number): void {
  if (span(k, dilation) % 2 === 0) throw new Error(`'same' 1-D convolution needs an odd effective kernel, got k=${k}, dilation=${dilation}`);
}

const as4d = (x: tf.Tensor3D): tf.Tensor4D => tf.expandDims(x, 1) as tf.Tensor4D;
const as3d = (x: tf.Tensor4D): tf.Tensor3D => tf.squeeze(x, [1]) as tf.Tensor3D;

/** dx for a full conv: dy correlated with the flipped, channel-swapped filter. */
function convInputGrad(dy: tf.Tensor3D, w: tf.Tensor3D, dilation: number, padding: Padding): tf.Tensor3D {
  const flipped = tf.transpose(tf.reverse(w, 0), [0, 2, 1]) as tf.Tensor3D;
  const k = w.shape[0];
  const src = padding === 'same' ? dy : (tf.pad(dy, [[0, 0], [span(k, dilation) - 1, span(k, dilation) - 1], [0, 0]]) as tf.Tensor3D);
  return as3d(tf.conv2d(as4d(src), tf.expandDims(flipped, 0) as tf.Tensor4D, 1, padding === 'same' ? 'same' : 'valid', 'NHWC', [1, dilation]));
}

/** x padded the way the forward pass saw it. */
function padded(x: tf.Tensor3D, k: number, dilation: number, padding: Padding): tf.Tensor3D {
  if (padding === 'valid') return x;
  const half = (span(k, dilation) - 1) / 2;
  return tf.pad(x, [[0, 0], [half, half], [0, 0]]) as tf.Tensor3D;
}

/** dw [k, Cin, Cout] for a full conv. */
function convFilterGrad(x: tf.Tensor3D, dy: tf.Tensor3D, k: number, dilation: number, padding: Padding): tf.Tensor3D {
  const [B, , Cin] = x.shape;
  const [, Lout, Cout] = dy.shape;
  const xp = padded(x, k, dilation, padding);
  // image per input channel: [Cin, B, Lp, 1]; filter: dy as [B, Lout, 1, Cout]
  const image = tf.expandDims(tf.transpose(xp, [2, 0, 1]), 3) as tf.Tensor4D;
  const filter = tf.reshape(dy, [B, Lout, 1, Cout]) as tf.Tensor4D;
  const g = tf.conv2d(image, filter, [1, dilation], 'valid'); // [Cin, 1, k, Cout]
  return tf.transpose(tf.reshape(g, [Cin, k, Cout]), [1, 0, 2]) as tf.Tensor3D;
}

/** Full 1-D convolution, stride 1. */
export function conv1d(x: tf.Tensor3D, w: tf.Tensor3D, dilation = 1, padding: Padding = 'same'): tf.Tensor3D {
  const k = w.shape[0];
  if (padding === 'same') checkSame(k, dilation);
  const f = tf.customGrad((...args: Input[]) => {
    const [xi, wi, save] = args as [tf.Tensor3D, tf.Tensor3D, tf.GradSaveFunc];
    save([xi, wi]);
    return {
      value: as3d(tf.conv2d(as4d(xi), tf.expandDims(wi, 0) as tf.Tensor4D, 1, padding, 'NHWC', [1, dilation])),
      gradFunc: (dy: tf.Tensor3D, saved: tf.Tensor[]) => {
        const [sx, sw] = saved as [tf.Tensor3D, tf.Tensor3D];
        return [convInputGrad(dy, sw, dilation, padding), convFilterGrad(sx, dy, k, dilation, padding)];
      },
    };
  }) as (x: tf.Tensor3D, w: tf.Tensor3D) => tf.Tensor3D;
  return f(x, w);
}

/** Depthwise 1-D convolution ('same', stride 1): w [k, C], one filter per channel. */
export function depthwiseConv1d(x: tf.Tensor3D, w: tf.Tensor2D, dilation = 1): tf.Tensor3D {
  const k = w.shape[0];
  checkSame(k, dilation);
  const dw4 = (wi: tf.Tensor2D) => tf.reshape(wi, [1, k, wi.shape[1], 1]) as tf.Tensor4D;
  const f = tf.customGrad((...args: Input[]) => {
    const [xi, wi, save] = args as [tf.Tensor3D, tf.Tensor2D, tf.GradSaveFunc];
    save([xi, wi]);
    return {
      value: as3d(tf.depthwiseConv2d(as4d(xi), dw4(wi), 1, 'same', 'NHWC', [1, dilation])),
      gradFunc: (dy: tf.Tensor3D, saved: tf.Tensor[]) => {
        const [sx, sw] = saved as [tf.Tensor3D, tf.Tensor2D];
        const dx = as3d(tf.depthwiseConv2d(as4d(dy), dw4(tf.reverse(sw, 0) as tf.Tensor2D), 1, 'same', 'NHWC', [1, dilation]));
        // one image [1, B, Lp, C], per-channel filter dy [B, L, C, 1]: output [1, 1, k, C]
        const [B, L, C] = dy.shape;
        const image = tf.expandDims(padded(sx, k, dilation, 'same'), 0) as tf.Tensor4D;
        const filter = tf.reshape(dy, [B, L, C, 1]) as tf.Tensor4D;
        const dw = tf.reshape(tf.depthwiseConv2d(image, filter, [1, dilation], 'valid'), [k, C]);
        return [dx, dw];
      },
    };
  }) as (x: tf.Tensor3D, w: tf.Tensor2D) => tf.Tensor3D;
  return f(x, w);
}

/** Re-exported from tf-backend, where it is shared with the other model code. */
export { dense };
