import { Rng, UserError } from '@dcl-enas/common';
import { AAMI_CLASS_COUNT } from './aami';

/** How many labels fall in each class 0..classCount-1. */
export function classCounts(labels: ArrayLike<number>, classCount = AAMI_CLASS_COUNT): number[] {
  const counts = new Array<number>(classCount).fill(0);
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (!(l >= 0 && l < classCount)) throw new UserError(`label ${l} at row ${i} is outside 0..${classCount - 1}`);
    counts[l]++;
  }
  return counts;
}

export interface ClassWeightOptions {
  /**
   * 'balanced': n / (K * n_c), every present class weighs as much as any other in total;
   * 'sqrt': the square root of that, a milder correction. Default 'sqrt'.
   */
  readonly scheme?: 'balanced' | 'sqrt';
  /**
   * Largest allowed ratio between two present classes' weights. Default 10: DS1 has only 8 Q
   * beats, and an uncapped weight would make a handful of beats dominate the loss.
   */
  readonly maxRatio?: number;
  readonly classCount?: number;
}

/**
 * Per-class loss weights, scaled so that the mean weight over the given labels is 1 (the loss
 * keeps its magnitude). Absent classes get weight 0.
 */
export function classWeights(labels: ArrayLike<number>, options: ClassWeightOptions = {}): number[] {
  const { scheme = 'sqrt', maxRatio = 10, classCount = AAMI_CLASS_COUNT } = options;
  const counts = classCounts(labels, classCount);
  const present = counts.filter((c) => c > 0).length;
  if (present === 0) throw new UserError('no labels given: class weights need at least one beat');
  let weights = counts.map((c) => (c > 0 ? labels.length / (present * c) : 0));
  if (scheme === 'sqrt') weights = weights.map(Math.sqrt);
  const smallest = Math.min(...weights.filter((w) => w > 0));
  weights = weights.map((w) => Math.min(w, smallest * maxRatio));
  const mean = counts.reduce((sum, c, k) => sum + c * weights[k], 0) / labels.length;
  return weights.map((w) => w / mean);
}

/** One weight per row (the weight of its class), e.g. for a weighted loss. */
export function sampleWeights(labels: ArrayLike<number>, weights: readonly number[]): Float32Array {
  const out = new Float32Array(labels.length);
  for (let i = 0; i < labels.length; i++) out[i] = weights[labels[i]];
  return out;
}

/**
 * Row indices for a class-balanced epoch: `perClass` rows of every present class (drawn without
 * replacement while the class has enough rows, with replacement beyond), shuffled together.
 */
export function balancedIndices(labels: ArrayLike<number>, perClass: number, rng: Rng, classCount = AAMI_CLASS_COUNT): Int32Array {
  if (!Number.isInteger(perClass) || perClass < 1) throw new UserError(`perClass ${perClass} is invalid: give a positive whole number`);
  const byClass: number[][] = Array.from({ length: classCount }, () => []);
  for (let i = 0; i < labels.length; i++) byClass[labels[i]].push(i);
  const rows: number[] = [];
  for (const members of byClass) {
    if (members.length === 0) continue;
    const shuffled = rng.shuffle(members.slice());
    for (let k = 0; k < perClass; k++) rows.push(k < shuffled.length ? shuffled[k] : members[rng.below(members.length)]);
  }
  return Int32Array.from(rng.shuffle(rows));
}
