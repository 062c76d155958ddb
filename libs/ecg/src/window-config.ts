import { UserError } from '@dcl-enas/common';

/** How beats are cut out of the signal. Changing any field changes the cache key. */
export interface WindowConfig {
  /** Samples taken before the annotated R peak (the peak sits at this index of the window). */
  readonly before: number;
  /** Samples taken from the R peak on, the peak included. */
  readonly after: number;
  /** Lead to read, matched against the header's signal descriptions. */
  readonly lead: string;
  /** Widths (ms) of the two baseline median filters, or null to only subtract the ADC baseline. */
  readonly baselineMs: readonly [number, number] | null;
}

/**
 * 90 + 166 = 256 samples at 360 Hz (0.71 s): 0.25 s before the R peak covers the P wave (PR
 * interval up to 0.20 s plus the Q-to-R rise), 0.46 s after covers QRS, ST segment and the T wave
 * at ordinary heart rates (QT about 0.35-0.44 s). 256 = 2^8 leaves room for up to eight
 * halvings in a CNN. Baseline removal: the two median filters of de Chazal et al. (2004).
 */
export const DEFAULT_WINDOW: WindowConfig = { before: 90, after: 166, lead: 'MLII', baselineMs: [200, 600] };

/** Per-beat scaling applied when windows are handed out (after the cache). */
export type Normalization = 'zscore' | 'mv';

export function windowLength(config: WindowConfig): number {
  return config.before + config.after;
}

export function checkWindowConfig(config: WindowConfig): WindowConfig {
  if (!Number.isInteger(config.before) || !Number.isInteger(config.after) || config.before < 0 || config.after < 1) {
    throw new UserError(`window before=${config.before}, after=${config.after} is invalid: both must be whole sample counts, after >= 1`);
  }
  if (config.baselineMs && !config.baselineMs.every((ms) => ms > 0)) {
    throw new UserError(`baseline filter widths ${config.baselineMs.join('/')} ms are invalid: give two positive widths or null`);
  }
  return config;
}
