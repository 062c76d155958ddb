import type { TrainFn } from '@dcl-enas/cluster';
import { ecgTrainer } from './ecg-trainer';
import { tabularTrainer } from './tabular-trainer';

/** Every trial a trainer takes (worker or Kubernetes Job): ECG trials are trained for real, the others through their benchmark. */
export function trialTrainer(dataDir: () => string, timeScale: number): TrainFn {
  const tabular = tabularTrainer(dataDir, timeScale);
  let ecg: TrainFn | null = null;
  return (trial, keepAlive) => {
    if (trial.space !== 'ecg') return tabular(trial, keepAlive);
    ecg ??= ecgTrainer(dataDir);
    return ecg(trial, keepAlive);
  };
}
