import { resolveDataDir } from '@dcl-enas/common';

/**
 * Spaces whose evaluator trains real networks register on demand: loading the ECG beat set
 * and TensorFlow.js is only worth it when the ECG space is asked for.
 */
export async function prepareSpace(space: string): Promise<void> {
  if (space === 'ecg') {
    const { registerEcgBenchmark } = await import('@dcl-enas/ecg-model');
    await registerEcgBenchmark({ dataDir: resolveDataDir() });
  }
}
