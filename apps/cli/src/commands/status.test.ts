import { describe as suite, expect, it } from 'vitest';
import { ExperimentSpec, type ExperimentDetail } from '@dcl-enas/contracts';
import { describe } from './status';

const spec = ExperimentSpec.parse({ apiVersion: 'enas/v1', kind: 'Experiment', space: 'nb201', dataset: 'cifar10', strategy: 'rea', queries: 40 });
const detail = (over: Partial<ExperimentDetail>): ExperimentDetail => ({
  id: 'rea-1',
  spec,
  status: 'running',
  queriesDone: 12,
  best: { arch: '|a~0|', key: 'k', valAcc: 80, testAcc: 90 },
  simulatedGpuSeconds: 10,
  createdAt: '2026-12-04T20:00:00.000Z',
  updatedAt: '2026-12-04T20:00:01.000Z',
  lastSeq: 3,
  trajectory: [],
  ...over,
});

suite('enas status', () => {
  it('shows the failed trials that did not end the experiment, with their reasons and what is tolerated', () => {
    const text = describe(detail({ failedTrials: [{ index: 3, arch: '|x~0|', reason: 'timed-out: timed out after 30 s (process group killed)' }] }));
    expect(text).toMatch(/^failed {6}1 trial\(s\), tolerated up to 4 \(trial\.maxFailedTrials\)$/m);
    expect(text).toMatch(/^ {2}trial 3 {2}timed-out: timed out after 30 s/m);
    expect(describe(detail({}))).not.toMatch(/^failed/m);
  });
});
