import type { SignalSpec } from './header';

/** The value format 212 reserves for "no sample here" (WFDB's invalid-sample marker at 12 bits). */
export const FORMAT212_INVALID = -2048;

/**
 * Physical units (mV for ECG) of one signal: (adu - baseline) / gain. Samples equal to the
 * format's invalid marker become NaN.
 */
export function toPhysical(samples: Int16Array, spec: Pick<SignalSpec, 'gain' | 'baseline' | 'format'>): Float32Array {
  const out = new Float32Array(samples.length);
  const invalid = spec.format === 212 ? FORMAT212_INVALID : null;
  const scale = 1 / spec.gain;
  for (let i = 0; i < samples.length; i++) {
    const v = samples[i];
    out[i] = v === invalid ? NaN : (v - spec.baseline) * scale;
  }
  return out;
}
