import { UserError } from '@dcl-enas/common';
import type { IntermediateValue } from './protocol';

/** One intermediate value of the objective metric. */
export interface CurvePoint {
  readonly step: number;
  readonly value: number;
}

/** A trial's intermediate values of the objective metric, in the order reported. */
export type Curve = readonly CurvePoint[];

export interface MedianStoppingOptions {
  /** Completed trials that must have reached step s before the rule stops anything at s (Katib's min_trials_required, default there 3). */
  readonly minTrials: number;
  /** No trial is stopped before this step (Katib's and NNI's start_step). */
  readonly startStep: number;
  readonly goal: 'maximize' | 'minimize';
}

export interface MedianStoppingRule {
  readonly options: MedianStoppingOptions;
  /**
   * The median, over the completed curves that reached `step` (their last step >= step), of each
   * one's running average up to `step` (the mean of its values at steps <= step); null when fewer
   * than minTrials such curves.
   */
  median(step: number, completed: readonly Curve[]): number | null;
  /**
   * For a running trial at `step` (its curve so far, the value at `step` included): 'stop' when
   * step >= startStep, at least minTrials completed curves reached step, and the trial's best
   * value at steps <= step is strictly worse than their median (see `median`); else 'continue'.
   */
  decide(running: Curve, step: number, completed: readonly Curve[]): 'continue' | 'stop';
  /**
   * An onIntermediate callback for runTrialCommand: it collects the trial's curve of `metric`
   * and decides at each value against `completed()` (read at every call, so it sees trials
   * that complete meanwhile). Values without `metric` continue.
   */
  onIntermediate(metric: string, completed: () => readonly Curve[]): (step: number, values: Readonly<Record<string, number>>) => 'continue' | 'stop';
}

/** The curve of `metric` in a trial's intermediate values (values without it are left out). */
export function curveOf(intermediate: readonly IntermediateValue[], metric: string): Curve {
  const out: CurvePoint[] = [];
  for (const v of intermediate) {
    const value = v.values[metric];
    if (typeof value === 'number' && Number.isFinite(value)) out.push({ step: v.step, value });
  }
  return out;
}

function median(sorted: readonly number[]): number {
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * The median stopping rule (Golovin et al., "Google Vizier", 2017; Katib's `medianstop`, NNI's
 * Medianstop assessor): stop a running trial at step s when its best objective value by step s
 * is strictly worse than the median of the running averages of the completed trials' objective
 * values reported up to step s. Pure: the caller passes the curves.
 */
export function medianStopping(options: MedianStoppingOptions): MedianStoppingRule {
  const { minTrials, startStep, goal } = options;
  if (!Number.isInteger(minTrials) || minTrials < 1) throw new UserError(`median stopping: minTrials must be a whole number >= 1, got ${minTrials}`);
  if (typeof startStep !== 'number' || !Number.isFinite(startStep) || startStep < 0) throw new UserError(`median stopping: startStep must be a number >= 0, got ${startStep}`);
  if (goal !== 'maximize' && goal !== 'minimize') throw new UserError(`median stopping: goal must be maximize or minimize, got ${String(goal)}`);
  const opts: MedianStoppingOptions = { minTrials, startStep, goal };

  const medianAt = (step: number, completed: readonly Curve[]): number | null => {
    const averages: number[] = [];
    for (const curve of completed) {
      let last = -Infinity;
      let sum = 0;
      let n = 0;
      for (const p of curve) {
        if (!Number.isFinite(p.value)) continue;
        last = Math.max(last, p.step);
        if (p.step <= step) {
          sum += p.value;
          n++;
        }
      }
      if (last >= step && n > 0) averages.push(sum / n);
    }
    if (averages.length < minTrials) return null;
    return median(averages.sort((a, b) => a - b));
  };

  const decide = (running: Curve, step: number, completed: readonly Curve[]): 'continue' | 'stop' => {
    if (!(step >= startStep)) return 'continue';
    let best: number | null = null;
    for (const p of running) {
      if (p.step > step || !Number.isFinite(p.value)) continue;
      if (best === null || (goal === 'maximize' ? p.value > best : p.value < best)) best = p.value;
    }
    if (best === null) return 'continue';
    const m = medianAt(step, completed);
    if (m === null) return 'continue';
    return (goal === 'maximize' ? best < m : best > m) ? 'stop' : 'continue';
  };

  return {
    options: opts,
    median: medianAt,
    decide,
    onIntermediate(metric, completed) {
      const curve: CurvePoint[] = [];
      return (step, values) => {
        const value = values[metric];
        if (typeof value !== 'number' || !Number.isFinite(value)) return 'continue';
        curve.push({ step, value });
        return decide(curve, step, completed());
      };
    },
  };
}
