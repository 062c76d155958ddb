import { describe, expect, it } from 'vitest';
import { resolveDataDir } from '@dcl-enas/common';
import { openNb201 } from '@dcl-enas/benchmarks';
import { nb201Space } from '@dcl-enas/spaces';
import { trialTrainer } from './trial-trainer';

const arch = '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|';
const trial = { experimentId: 'x', index: 0, space: 'nb201', dataset: 'cifar10', arch, key: nb201Space.key(nb201Space.parse(arch)), token: '0'.repeat(32) };

describe('trial trainer (tables)', () => {
  it('reports the table figures of the trial', async () => {
    const expected = openNb201('cifar10', resolveDataDir()).evaluator.query(nb201Space.parse(arch), 'cifar10');
    const outcome = await trialTrainer(resolveDataDir, 0)(trial, () => undefined);
    expect(outcome).toEqual({ valAcc: expected.valAcc, testAcc: expected.testAcc, trainSeconds: expected.trainSeconds });
  });

  it('takes the recorded GPU time times the scale, keeping the trial alive', async () => {
    let beats = 0;
    const started = performance.now();
    const outcome = await trialTrainer(resolveDataDir, 0.002)(trial, () => beats++);
    const ms = performance.now() - started;
    expect(ms).toBeGreaterThanOrEqual(outcome.trainSeconds! * 2 - 5);
    expect(beats).toBeGreaterThanOrEqual(1);
  });

  it('refuses a trial whose key is not its architecture, or an unknown dataset', async () => {
    const train = trialTrainer(resolveDataDir, 0);
    await expect(train({ ...trial, key: 'wrong' }, () => undefined)).rejects.toThrow(/key wrong is not the key of/);
    await expect(train({ ...trial, dataset: 'svhn' }, () => undefined)).rejects.toThrow(/unknown dataset "svhn"/);
  });
});
