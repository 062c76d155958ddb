import type { EcgSettings } from '@dcl-enas/contracts';
import type { LoadEcgOptions } from './ecg-data';
import { DEFAULT_TRAIN, type TrainConfig } from './trainer';

/**
 * The data and training options of ECG settings (`enas search --ecg`, a spec's `ecg` field; one
 * schema, @dcl-enas/contracts EcgSettings): the published protocol wherever a field is left out.
 * Embedded and cluster runs both go through here, so the same settings train the same way.
 */
export function ecgRunOptions(settings: EcgSettings = {}): Pick<LoadEcgOptions, 'records' | 'holdout'> & { readonly train: TrainConfig } {
  const given = Object.fromEntries(Object.entries(settings.train ?? {}).filter(([, v]) => v !== undefined)) as Partial<TrainConfig>;
  return {
    ...(settings.records ? { records: settings.records } : {}),
    ...(settings.holdout ? { holdout: settings.holdout } : {}),
    train: { ...DEFAULT_TRAIN, ...given },
  };
}
