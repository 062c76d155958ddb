import { tf } from '@dcl-enas/tf-backend';
import { conv1d, dense, depthwiseConv1d, type Padding } from './conv1d';
import type { Weights } from './weights';

/** One forward pass: in training, batch norm uses batch statistics and queues running-stat updates. */
export interface Pass {
  readonly training: boolean;
  /** [running statistic, this batch's value] pairs, kept out of tidy; the trainer applies and disposes them. */
  readonly updates: [tf.Variable, tf.Tensor][];
}

export const inferencePass = (): Pass => ({ training: false, updates: [] });
export const trainingPass = (): Pass => ({ training: true, updates: [] });

export type Layer = (x: tf.Tensor3D, pass: Pass) => tf.Tensor3D;

const EPSILON = 1e-5;

/** Batch norm over batch and time, per channel. */
export function batchNorm(w: Weights, name: string, channels: number): Layer {
  const gamma = w.constant(`${name}/gamma`, channels, 1);
  const beta = w.constant(`${name}/beta`, channels, 0);
  const runMean = w.stat(`${name}/mean`, channels, 0);
  const runVar = w.stat(`${name}/var`, channels, 1);
  return (x, pass) => {
    let mean: tf.Tensor = runMean;
    let variance: tf.Tensor = runVar;
    if (pass.training) {
      const m = tf.moments(x, [0, 1]);
      mean = m.mean;
      variance = m.variance;
      pass.updates.push([runMean, tf.keep(mean)], [runVar, tf.keep(variance)]);
    }
    return tf.add(tf.mul(tf.sub(x, mean), tf.mul(gamma, tf.rsqrt(tf.add(variance, EPSILON)))), beta) as tf.Tensor3D;
  };
}

export interface ConvSpec {
  readonly kernel: number;
  readonly dilation?: number;
  readonly padding?: Padding;
  readonly bias?: boolean;
}

export function conv(w: Weights, name: string, cin: number, cout: number, spec: ConvSpec): Layer {
  const { kernel, dilation = 1, padding = 'same', bias = false } = spec;
  const kernelW = w.he(`${name}/w`, [kernel, cin, cout], kernel * cin);
  const b = bias ? w.constant(`${name}/b`, cout, 0) : null;
  return (x) => {
    const y = conv1d(x, kernelW as unknown as tf.Tensor3D, dilation, padding);
    return b ? (tf.add(y, b) as tf.Tensor3D) : y;
  };
}

/** Depthwise conv (kernel k) then pointwise 1x1 conv, no bias (a batch norm follows). */
export function separableConv(w: Weights, name: string, channels: number, kernel: number): Layer {
  const depthW = w.he(`${name}/dw`, [kernel, channels], kernel);
  const pointW = w.he(`${name}/pw`, [channels, channels], channels);
  return (x) => {
    const [B, L, C] = x.shape;
    const d = depthwiseConv1d(x, depthW as unknown as tf.Tensor2D);
    return tf.reshape(dense(tf.reshape(d, [B * L, C]) as tf.Tensor2D, pointW as unknown as tf.Tensor2D), [B, L, channels]) as tf.Tensor3D;
  };
}

export function fullyConnected(w: Weights, name: string, fanIn: number, fanOut: number): (x: tf.Tensor2D) => tf.Tensor2D {
  const m = w.he(`${name}/w`, [fanIn, fanOut], fanIn);
  const b = w.constant(`${name}/b`, fanOut, 0);
  return (x) => tf.add(dense(x, m as unknown as tf.Tensor2D), b) as tf.Tensor2D;
}

/** Pooling over time: size `size`, stride `stride` ('same' keeps the length at stride 1). */
export function pool(kind: 'max' | 'avg', size: number, stride: number, padding: Padding): Layer {
  return (x) => {
    const x4 = tf.expandDims(x, 1) as tf.Tensor4D;
    const y = kind === 'max' ? tf.maxPool(x4, [1, size], [1, stride], padding) : tf.avgPool(x4, [1, size], [1, stride], padding);
    return tf.squeeze(y, [1]) as tf.Tensor3D;
  };
}

export const relu: Layer = (x) => tf.relu(x);

export function sequence(...layers: Layer[]): Layer {
  return (x, pass) => layers.reduce((h, layer) => layer(h, pass), x);
}
