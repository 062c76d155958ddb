import { describe, expect, it } from 'vitest';
import { remoteRunOutcome } from './remote-outcome';

describe('remoteRunOutcome: a trial that ran elsewhere, by the rules of a local run', () => {
  const base = { resultFile: null, log: 'epoch 1\nepoch 2\n', seconds: 4 };

  it('result.json wins over the enas-result line; an empty log and no result is the protocol failure', () => {
    expect(remoteRunOutcome({ ...base, exitCode: 0, resultFile: '{"accuracy": 0.5}', log: 'enas-result {"accuracy": 0.7}\n' }, 'accuracy')).toMatchObject({ status: 'succeeded', metrics: { accuracy: 0.5 } });
    expect(remoteRunOutcome({ ...base, exitCode: 0, log: 'x\nenas-result {"accuracy": 0.7}\r\nbye\n' }, 'accuracy')).toMatchObject({ status: 'succeeded', metrics: { accuracy: 0.7 } });
    expect(remoteRunOutcome({ ...base, exitCode: 0 }, 'accuracy').reason).toMatch(/^exited with code 0 but reported no result/);
  });

  it('a failure names the exit code, the kubelet reason when it says more than Error, and the last log line', () => {
    expect(remoteRunOutcome({ ...base, exitCode: 1, exitReason: 'Error' }, 'accuracy')).toMatchObject({ status: 'failed', reason: 'exited with code 1: epoch 2', logTail: ['epoch 1', 'epoch 2'] });
    expect(remoteRunOutcome({ ...base, exitCode: 137, exitReason: 'OOMKilled' }, 'accuracy').reason).toBe('exited with code 137 (OOMKilled): epoch 2');
  });
});
