import type { TrajectoryPoint } from '@dcl-enas/contracts';

/** What the selection rule reads of a trained architecture. */
export interface Scored {
  readonly valAcc: number;
  readonly testAcc: number | null;
}

/**
 * The selection rule of every search, and the one place that applies it: the selected
 * architecture is the one with the best validation accuracy so far; among equal ones the
 * earliest stays. Offer trials in query order; the trace keeps the best-so-far trajectory
 * and the sum of the recorded training times (null once one is missing).
 */
export class BestSoFarTrace<T extends Scored> {
  private current: T | null = null;
  private gpu: number | null = 0;
  readonly points: TrajectoryPoint[] = [];

  get best(): T | null {
    return this.current;
  }

  get gpuSeconds(): number | null {
    return this.gpu;
  }

  offer(trial: T, trainSeconds: number | null): TrajectoryPoint {
    if (this.current === null || trial.valAcc > this.current.valAcc) this.current = trial;
    this.gpu = this.gpu === null || trainSeconds === null ? null : this.gpu + trainSeconds;
    const point = { query: this.points.length + 1, bestValAcc: this.current.valAcc, bestTestAcc: this.current.testAcc };
    this.points.push(point);
    return point;
  }
}
