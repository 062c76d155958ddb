import type { EcgSettings } from '@dcl-enas/contracts';
import type { LoadEcgOptions } from './ecg-data';
import { DEFAULT_TRAIN, type TrainConfig } from './trainer';

/** What ECG settings ask for: the data, the training config and, for cross-validation inside DS1, the number of folds. */
export interface EcgRunOptions extends Pick<LoadEcgOptions, 'records' | 'holdout'> {
  /** The training config (of fold 0 under cross-validation: fold k adds k to its seed, foldTrainConfigs). */
  readonly train: TrainConfig;
  /** Folds inside DS1 (foldHoldoutSeeds, foldTrainConfigs); absent: the single hold-out. */
  readonly folds?: number;
}

/**
 * The data and training options of ECG settings (`enas search --ecg`, a spec's `ecg` field; one
 * schema, @dcl-enas/contracts EcgSettings): the published protocol wherever a field is left out.
 * Embedded and cluster runs both go through here and prepareEcgEvaluators, so the same settings
 * train the same way. `folds: 1` and `balance: 'equal'` are the published protocol and are left
 * out of the options, so their results and fingerprints are those of settings without them.
 */
export function ecgRunOptions(settings: EcgSettings = {}): EcgRunOptions {
  const { balance, ...rest } = settings.train ?? {};
  const given = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) as Partial<TrainConfig>;
  return {
    ...(settings.records ? { records: settings.records } : {}),
    ...(settings.holdout ? { holdout: settings.holdout } : {}),
    ...(settings.folds !== undefined && settings.folds > 1 ? { folds: settings.folds } : {}),
    train: { ...DEFAULT_TRAIN, ...given, ...(balance === 'sqrt' ? { balance } : {}) },
  };
}
