import { tf } from '@dcl-enas/tf-backend';
import { conv, fullyConnected, pool, sequence, type Layer, type Pass } from './layers';
import type { EcgNet, NetInput } from './net';
import type { Weights } from './weights';

/** Slope of the leaky ReLU used throughout the baseline. */
export const LEAKY_SLOPE = 0.01;

const leaky: Layer = (x) => tf.leakyRelu(x, LEAKY_SLOPE);

/**
 * The hand-designed baseline: the 9-layer 1-D CNN of Acharya et al. (2017), "A deep
 * convolutional neural network model to classify heartbeats", Computers in Biology and
 * Medicine 89:389-396. Three convolutions (5 filters k=3, 10 filters k=4, 20 filters k=4,
 * unpadded, leaky ReLU), each followed by max-pooling /2, then fully connected layers of 30,
 * 20 and 5 units. Their beats were 260 samples at 360 Hz; ours are 256. The RR features join
 * at the first fully connected layer, as they join the searched networks' classifier, so
 * that the comparison is between the convolutional parts (docs/ecg-space.md).
 */
export function buildBaselineNetwork(w: Weights, input: NetInput): EcgNet {
  const body = sequence(
    conv(w, 'conv1', 1, 5, { kernel: 3, padding: 'valid', bias: true }),
    leaky,
    pool('max', 2, 2, 'valid'),
    conv(w, 'conv2', 5, 10, { kernel: 4, padding: 'valid', bias: true }),
    leaky,
    pool('max', 2, 2, 'valid'),
    conv(w, 'conv3', 10, 20, { kernel: 4, padding: 'valid', bias: true }),
    leaky,
    pool('max', 2, 2, 'valid'),
  );
  const flat = baselineFlatLength(input.windowLength) * 20;
  const fc1 = fullyConnected(w, 'fc1', flat + input.rrFeatures, 30);
  const fc2 = fullyConnected(w, 'fc2', 30, 20);
  const fc3 = fullyConnected(w, 'fc3', 20, input.classes);
  return {
    weights: w,
    forward(x: tf.Tensor3D, rr: tf.Tensor2D, pass: Pass): tf.Tensor2D {
      const h = body(x, pass);
      const features = tf.reshape(h, [h.shape[0], flat]) as tf.Tensor2D;
      const joined = input.rrFeatures > 0 ? (tf.concat([features, rr], 1) as tf.Tensor2D) : features;
      return fc3(tf.leakyRelu(fc2(tf.leakyRelu(fc1(joined), LEAKY_SLOPE)), LEAKY_SLOPE));
    },
  };
}

/** Length after the three conv (k 3, 4, 4, unpadded) + pool /2 stages. */
export function baselineFlatLength(windowLength: number): number {
  let l = windowLength;
  for (const k of [3, 4, 4]) l = Math.floor((l - k + 1) / 2);
  return l;
}
