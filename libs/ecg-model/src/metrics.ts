import { UserError } from '@dcl-enas/common';

/** Per-class figures; null where the ratio has no denominator. */
export interface ClassMetrics {
  /** Beats of this class in the reference (weighted where weights were given). */
  readonly support: number;
  /** Sensitivity (recall): TP / (TP + FN). */
  readonly sensitivity: number | null;
  /** Positive predictivity (precision): TP / (TP + FP). */
  readonly ppv: number | null;
  /** 2TP / (2TP + FP + FN); 0 for a present class never predicted, null for a class neither present nor predicted. */
  readonly f1: number | null;
}

export interface ClassificationMetrics {
  readonly accuracy: number;
  /** Mean F1 over the classes asked for (those with a defined F1). */
  readonly macroF1: number;
  readonly perClass: readonly ClassMetrics[];
  /** Rows: reference class, columns: predicted class. */
  readonly confusion: readonly (readonly number[])[];
}

/**
 * Confusion matrix (rows reference, columns predicted). `weights` counts row i as weights[i]
 * beats: an estimate of the full set's matrix from a class-stratified subsample.
 */
export function confusionMatrix(truth: ArrayLike<number>, predicted: ArrayLike<number>, classes: number, weights?: ArrayLike<number>): number[][] {
  if (truth.length !== predicted.length) throw new UserError(`${truth.length} reference labels but ${predicted.length} predictions: give one prediction per beat`);
  if (weights && weights.length !== truth.length) throw new UserError(`${weights.length} weights for ${truth.length} beats: give one weight per beat`);
  const m = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < truth.length; i++) {
    const t = truth[i];
    const p = predicted[i];
    if (!(t >= 0 && t < classes && p >= 0 && p < classes)) throw new UserError(`label ${t} or prediction ${p} at row ${i} is outside 0..${classes - 1}`);
    m[t][p] += weights ? weights[i] : 1;
  }
  return m;
}

/** Accuracy, per-class sensitivity / positive predictivity / F1, and macro-F1 over `macroClasses` (default all). */
export function metricsFromConfusion(confusion: readonly (readonly number[])[], macroClasses?: readonly number[]): ClassificationMetrics {
  const k = confusion.length;
  if (k === 0 || confusion.some((row) => row.length !== k)) throw new UserError('a confusion matrix must be square with at least one class');
  let total = 0;
  let correct = 0;
  const perClass: ClassMetrics[] = [];
  for (let c = 0; c < k; c++) {
    const tp = confusion[c][c];
    let support = 0;
    let predicted = 0;
    for (let j = 0; j < k; j++) {
      support += confusion[c][j];
      predicted += confusion[j][c];
    }
    total += support;
    correct += tp;
    const fn = support - tp;
    const fp = predicted - tp;
    perClass.push({
      support,
      sensitivity: support > 0 ? tp / support : null,
      ppv: predicted > 0 ? tp / predicted : null,
      f1: 2 * tp + fp + fn > 0 ? (2 * tp) / (2 * tp + fp + fn) : null,
    });
  }
  const chosen = (macroClasses ?? perClass.map((_, c) => c)).map((c) => {
    if (!(c >= 0 && c < k)) throw new UserError(`macro-F1 class ${c} is outside 0..${k - 1}`);
    return perClass[c].f1;
  });
  const defined = chosen.filter((f): f is number => f !== null);
  return {
    accuracy: total > 0 ? correct / total : 0,
    macroF1: defined.length > 0 ? defined.reduce((a, b) => a + b, 0) / defined.length : 0,
    perClass,
    confusion: confusion.map((row) => row.slice()),
  };
}
