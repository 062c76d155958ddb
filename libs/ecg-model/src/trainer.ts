import { Rng, UserError } from '@dcl-enas/common';
import { tf } from '@dcl-enas/tf-backend';
import type { EcgData, EcgPart } from './ecg-data';
import { RR_INPUTS } from './ecg-data';
import { inferencePass, trainingPass } from './layers';
import { confusionMatrix, metricsFromConfusion, type ClassificationMetrics } from './metrics';
import type { EcgNet } from './net';

/** The per-candidate training budget and protocol; identical for every network compared. */
export interface TrainConfig {
  /** Most epochs; early stopping usually ends sooner. */
  readonly epochs: number;
  /** Beats of each class drawn per epoch (class-balanced epochs, docs/ecg-space.md). */
  readonly beatsPerClass: number;
  /** A class contributes at most this many copies of each of its beats per epoch (DS1 has 6 Q beats). */
  readonly maxRepeat: number;
  readonly batchSize: number;
  readonly learningRate: number;
  /** Epochs without a better hold-out score before stopping. */
  readonly patience: number;
  /** N beats of the hold-out scored after each epoch (others are weighted up to stand for all); 0 = all. */
  readonly holdoutNormalCap: number;
  /** Classes whose F1 values are averaged into the selection score. */
  readonly selectionClasses: readonly number[];
  readonly seed: number;
  /**
   * Class quotas of an epoch. 'equal' (the default when absent): `beatsPerClass` of every class.
   * 'sqrt': the same total (`beatsPerClass` times the classes present), shared in proportion to
   * the square root of each class's training count, a milder correction that keeps more N beats.
   */
  readonly balance?: EpochBalance;
}

export type EpochBalance = 'equal' | 'sqrt';

/**
 * Hold-out macro-F1 over N, S, V and F: the hold-out has 2 Q beats (seed 0), too few for an F1
 * that says anything, while Q's 0/1 swings would dominate a 5-class mean.
 */
export const DEFAULT_TRAIN: TrainConfig = {
  epochs: 5,
  beatsPerClass: 500,
  maxRepeat: 20,
  batchSize: 128,
  learningRate: 3e-3,
  patience: 2,
  holdoutNormalCap: 2000,
  selectionClasses: [0, 1, 2, 3],
  seed: 0,
};

const BN_MOMENTUM = 0.9;
const INFERENCE_BATCH = 1024;

export interface EpochReport {
  readonly epoch: number;
  readonly loss: number;
  /** Selection score on the (N-subsampled) hold-out. */
  readonly holdoutScore: number;
  readonly seconds: number;
}

export interface TrainReport {
  readonly epochs: readonly EpochReport[];
  /** Epoch whose weights were kept (1-based). */
  readonly bestEpoch: number;
  /** Wall seconds of training and per-epoch hold-out scoring. */
  readonly seconds: number;
}

/**
 * Rows of one class-balanced epoch, shuffled: up to `perClass` rows per class ('equal'), or the
 * same total shared in proportion to the square root of the class sizes ('sqrt'); each row at
 * most `maxRepeat` times.
 */
export function epochRows(labels: ArrayLike<number>, classes: number, perClass: number, maxRepeat: number, rng: Rng, balance: EpochBalance = 'equal'): Int32Array {
  const byClass: number[][] = Array.from({ length: classes }, () => []);
  for (let i = 0; i < labels.length; i++) byClass[labels[i]].push(i);
  const quotas = classQuotas(byClass.map((m) => m.length), perClass, balance);
  const rows: number[] = [];
  for (const [c, members] of byClass.entries()) {
    if (members.length === 0) continue;
    const want = Math.min(quotas[c], members.length * maxRepeat);
    for (let done = 0; done < want; done += members.length) {
      const shuffled = rng.shuffle(members.slice());
      rows.push(...shuffled.slice(0, Math.min(members.length, want - done)));
    }
  }
  return Int32Array.from(rng.shuffle(rows));
}

/** Rows per class of an epoch before the `maxRepeat` cap (see epochRows). */
export function classQuotas(counts: readonly number[], perClass: number, balance: EpochBalance = 'equal'): number[] {
  if (balance === 'equal') return counts.map((n) => (n > 0 ? perClass : 0));
  const roots = counts.map((n) => Math.sqrt(n));
  const total = perClass * counts.filter((n) => n > 0).length;
  const sum = roots.reduce((a, b) => a + b, 0);
  return roots.map((r) => (r > 0 ? Math.max(1, Math.round((total * r) / sum)) : 0));
}

/** The inputs of the given rows as tensors. */
export function batchTensors(part: EcgPart, rows: ArrayLike<number>): { x: tf.Tensor3D; rr: tf.Tensor2D } {
  const L = part.beats.windowLength;
  const n = rows.length;
  const xs = new Float32Array(n * L);
  const rr = new Float32Array(n * RR_INPUTS);
  for (let k = 0; k < n; k++) {
    const i = rows[k];
    xs.set(part.beats.windows.subarray(i * L, (i + 1) * L), k * L);
    rr.set(part.rr.subarray(i * RR_INPUTS, (i + 1) * RR_INPUTS), k * RR_INPUTS);
  }
  return { x: tf.tensor3d(xs, [n, L, 1]), rr: tf.tensor2d(rr, [n, RR_INPUTS]) };
}

/** Predicted class of every given row (default all), in inference mode. */
export function predict(net: EcgNet, part: EcgPart, rows?: ArrayLike<number>): Int32Array {
  const all = rows ?? Int32Array.from({ length: part.beats.size }, (_, i) => i);
  const out = new Int32Array(all.length);
  for (let from = 0; from < all.length; from += INFERENCE_BATCH) {
    const chunk = Array.prototype.slice.call(all, from, from + INFERENCE_BATCH) as number[];
    const pred = tf.tidy(() => {
      const { x, rr } = batchTensors(part, chunk);
      return tf.argMax(net.forward(x, rr, inferencePass()), 1);
    });
    out.set(pred.dataSync() as Int32Array, from);
    pred.dispose();
  }
  return out;
}

/** Full-set metrics of a part; macro-F1 over `macroClasses` (default all classes). */
export function evaluatePart(net: EcgNet, part: EcgPart, classes: number, macroClasses?: readonly number[]): ClassificationMetrics {
  return metricsFromConfusion(confusionMatrix(part.beats.labels, predict(net, part), classes), macroClasses);
}

/**
 * A class-stratified hold-out sample for per-epoch scoring: every non-N beat, at most `cap` N
 * beats, each N beat weighted so that the sample's confusion matrix estimates the full one.
 */
export function holdoutSample(labels: ArrayLike<number>, cap: number, rng: Rng): { rows: Int32Array; weights: Float32Array } {
  const normal: number[] = [];
  const rest: number[] = [];
  for (let i = 0; i < labels.length; i++) (labels[i] === 0 ? normal : rest).push(i);
  const keep = cap > 0 && normal.length > cap ? rng.sample(normal, cap) : normal;
  const w = normal.length / Math.max(1, keep.length);
  const rows = Int32Array.from([...keep, ...rest].sort((a, b) => a - b));
  const weights = Float32Array.from(rows, (i) => (labels[i] === 0 ? w : 1));
  return { rows, weights };
}

/**
 * Trains `net` on the DS1 training records with class-balanced epochs and Adam, scores the DS1
 * hold-out after every epoch, stops after `patience` epochs without improvement and leaves the
 * best epoch's weights in place. Synchronous: tfjs-wasm and cpu run every op eagerly.
 */
export function trainNetwork(net: EcgNet, data: EcgData, config: TrainConfig): TrainReport {
  checkConfig(config);
  const started = performance.now();
  const rng = Rng.seeded(config.seed);
  const vars = [...net.weights.trainable.values()];
  const optimizer = tf.train.adam(config.learningRate);
  const sample = holdoutSample(data.holdout.beats.labels, config.holdoutNormalCap, rng.fork());
  const sampleLabels = Array.from(sample.rows, (i) => data.holdout.beats.labels[i]);
  const epochs: EpochReport[] = [];
  let best = { score: -Infinity, epoch: 0, weights: null as Map<string, tf.Tensor> | null };
  try {
    for (let epoch = 1; epoch <= config.epochs; epoch++) {
      const t0 = performance.now();
      const rows = epochRows(data.train.beats.labels, data.classes, config.beatsPerClass, config.maxRepeat, rng, config.balance);
      let lossSum = 0;
      let steps = 0;
      for (let from = 0; from < rows.length; from += config.batchSize) {
        const batch = rows.subarray(from, from + config.batchSize);
        if (batch.length < 2) continue; // batch norm needs more than one beat
        lossSum += trainStep(net, data, batch, vars, optimizer);
        steps++;
      }
      const predicted = predict(net, data.holdout, sample.rows);
      const score = metricsFromConfusion(confusionMatrix(sampleLabels, predicted, data.classes, sample.weights), config.selectionClasses).macroF1;
      epochs.push({ epoch, loss: lossSum / Math.max(1, steps), holdoutScore: score, seconds: (performance.now() - t0) / 1000 });
      if (score > best.score) {
        if (best.weights) tf.dispose([...best.weights.values()]);
        best = { score, epoch, weights: net.weights.snapshot() };
      } else if (epoch - best.epoch >= config.patience) break;
    }
    if (best.weights) net.weights.restore(best.weights);
  } finally {
    if (best.weights) tf.dispose([...best.weights.values()]);
    optimizer.dispose();
  }
  return { epochs, bestEpoch: best.epoch, seconds: (performance.now() - started) / 1000 };
}

function trainStep(net: EcgNet, data: EcgData, rows: Int32Array, vars: tf.Variable[], optimizer: tf.Optimizer): number {
  const pass = trainingPass();
  const labels = tf.tensor1d(Int32Array.from(rows, (i) => data.train.beats.labels[i]), 'int32');
  const { x, rr } = batchTensors(data.train, rows);
  try {
    const loss = optimizer.minimize(() => {
      const logits = net.forward(x, rr, pass);
      return tf.losses.softmaxCrossEntropy(tf.oneHot(labels, data.classes), logits) as tf.Scalar;
    }, true, vars)!;
    const value = loss.dataSync()[0];
    loss.dispose();
    for (const [running, batchValue] of pass.updates) {
      running.assign(tf.tidy(() => tf.add(tf.mul(running, BN_MOMENTUM), tf.mul(batchValue, 1 - BN_MOMENTUM))));
    }
    return value;
  } finally {
    tf.dispose([labels, x, rr, ...pass.updates.map(([, v]) => v)]);
  }
}

function checkConfig(c: TrainConfig): void {
  const positive = { epochs: c.epochs, beatsPerClass: c.beatsPerClass, maxRepeat: c.maxRepeat, batchSize: c.batchSize, patience: c.patience };
  for (const [name, v] of Object.entries(positive)) {
    if (!Number.isInteger(v) || v < 1) throw new UserError(`training setting ${name}=${v} is invalid: give a positive whole number`);
  }
  if (!(c.learningRate > 0)) throw new UserError(`learning rate ${c.learningRate} is invalid: give a positive number`);
  if (c.balance !== undefined && c.balance !== 'equal' && c.balance !== 'sqrt') throw new UserError(`class balance "${String(c.balance)}" is invalid: use equal or sqrt`);
  if (c.selectionClasses.length === 0) throw new UserError('no selection classes: name at least one class for the hold-out macro-F1');
}
