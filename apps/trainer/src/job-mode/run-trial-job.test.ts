import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrialRequest } from '@dcl-enas/contracts';
import { EventLog, NatsServerProcess, ensureJetStream } from '@dcl-enas/cluster';
import { auditLog } from '@dcl-enas/search';
import { nb201Space } from '@dcl-enas/spaces';
import { JOB_EXIT } from './exit-codes';
import { runTrialJob } from './run-trial-job';

const arch = '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|';
const key = nb201Space.key(nb201Space.parse(arch));

let server: NatsServerProcess;
let nc: NatsConnection;
let log: EventLog;
const TOKEN = '7'.repeat(32);
const request = (experimentId: string, index: number, over: Partial<TrialRequest> = {}): TrialRequest => ({ experimentId, index, space: 'nb201', dataset: 'cifar10', arch, key, token: TOKEN, ...over });
const dir = mkdtempSync(join(tmpdir(), 'trainer-job-'));

function jobEnv(experimentId: string, index: number, extra: Record<string, string> = {}, trial = request(experimentId, index)): NodeJS.ProcessEnv {
  return {
    ENAS_TRIAL_REQUEST: JSON.stringify(trial),
    NATS_URL: server.url,
    ENAS_EXPERIMENT_ID: experimentId,
    ENAS_TRIAL_ID: String(index),
    ENAS_TRIAL_ATTEMPT: '1',
    ENAS_POD_NAME: `pod-${experimentId}-${index}`,
    ENAS_TERMINATION_LOG: join(dir, `${experimentId}-${index}.log`),
    ENAS_LOG_LEVEL: 'error',
    ...extra,
  };
}


beforeAll(async () => {
  server = await NatsServerProcess.start();
  nc = await connect({ servers: server.url });
  await ensureJetStream(nc, { replicas: 1, maxMessageBytes: 262144 });
  log = await EventLog.open(nc, null);
});

afterAll(async () => {
  await nc?.drain();
  await server?.stop();
});

describe('trainer job mode (real nats-server, real NB201 table)', () => {
  it('trains the trial of its ENAS_TRIAL_REQUEST, stores the result with the trial token, exits 0', async () => {
    expect(await runTrialJob(jobEnv('jobs-ok', 3))).toBe(JOB_EXIT.OK);
    const events = await log.readAll('jobs-ok');
    const result = events.map((e) => e.event).find((e) => e.type === 'result')!;
    expect(result).toMatchObject({ type: 'result', index: 3, key, token: TOKEN, trainer: 'job:pod-jobs-ok-3', attempt: 1 });
    expect((result as { outcome: { valAcc: number } }).outcome.valAcc).toBeGreaterThan(50);
    // A second attempt (the Job retried after the result was stored) stores a second result, which counts once.
    expect(await runTrialJob(jobEnv('jobs-ok', 3))).toBe(JOB_EXIT.OK);
    const proposal = { type: 'proposed' as const, batch: 0, trials: [{ index: 3, arch, key, token: TOKEN }] };
    const audit = auditLog([proposal, ...(await log.readAll('jobs-ok')).map((e) => e.event)]);
    expect(audit).toMatchObject({ lost: [], refused: [], trainedTwice: [key] });
  });

  it('a trial that cannot be trained is stored as a failed result and exits 2 with a termination message', async () => {
    expect(await runTrialJob(jobEnv('jobs-bad', 0, {}, request('jobs-bad', 0, { key: 'not-the-key' })))).toBe(JOB_EXIT.BAD_TRIAL);
    expect(readFileSync(join(dir, 'jobs-bad-0.log'), 'utf8')).toMatch(/^trial 0 cannot be trained: trial 0: key not-the-key is not the key of/);
    const result = (await log.readAll('jobs-bad')).map((e) => e.event).find((e) => e.type === 'result')!;
    expect(result).toMatchObject({ outcome: null, token: TOKEN, error: expect.stringMatching(/key not-the-key/) });
  });

  it('a missing or mismatched trial request, or bad ids, exit 2 naming the problem', async () => {
    expect(await runTrialJob(jobEnv('jobs-missing', 9, { ENAS_TRIAL_REQUEST: '' }))).toBe(JOB_EXIT.BAD_TRIAL);
    expect(readFileSync(join(dir, 'jobs-missing-9.log'), 'utf8')).toMatch(/^ENAS_TRIAL_REQUEST is not set/);
    expect(await runTrialJob(jobEnv('jobs-other', 1, {}, request('jobs-other', 2)))).toBe(JOB_EXIT.BAD_TRIAL);
    expect(readFileSync(join(dir, 'jobs-other-1.log'), 'utf8')).toMatch(/^ENAS_TRIAL_REQUEST is trial 2 of jobs-other, not trial 1 of jobs-other/);
    expect(await runTrialJob(jobEnv('jobs-untokened', 1, {}, { ...request('jobs-untokened', 1), token: 'x' }))).toBe(JOB_EXIT.BAD_TRIAL);
    expect(readFileSync(join(dir, 'jobs-untokened-1.log'), 'utf8')).toMatch(/token/);
    expect(await runTrialJob(jobEnv('jobs-x', 0, { ENAS_TRIAL_ID: 'seven' }))).toBe(JOB_EXIT.BAD_TRIAL);
    expect(readFileSync(join(dir, 'jobs-x-0.log'), 'utf8')).toMatch(/^ENAS_TRIAL_ID="seven" is not a trial index/);
    expect(await runTrialJob(jobEnv('jobs-y', 0, { ENAS_JOB_CONNECT_TIMEOUT_MS: '2m' }))).toBe(JOB_EXIT.BAD_TRIAL);
    expect(readFileSync(join(dir, 'jobs-y-0.log'), 'utf8')).toMatch(/^ENAS_JOB_CONNECT_TIMEOUT_MS=2m is not a positive number of milliseconds/);
  });

  it('a NATS server that refuses the login exits 2 at once (not retried), naming the settings to fix', async () => {
    const guarded = await NatsServerProcess.start({ config: 'authorization { users: [ { user: "trainer", password: "the-password" } ] }\n' });
    try {
      const started = Date.now();
      const env = jobEnv('jobs-refused', 0, { NATS_URL: guarded.url, NATS_USER: 'trainer', NATS_PASSWORD: 'not-the-password', ENAS_JOB_CONNECT_TIMEOUT_MS: '60000' });
      expect(await runTrialJob(env)).toBe(JOB_EXIT.BAD_TRIAL);
      expect(Date.now() - started).toBeLessThan(30_000);
      const message = readFileSync(join(dir, 'jobs-refused-0.log'), 'utf8');
      expect(message).toMatch(/^NATS at nats:\/\/127\.0\.0\.1:\d+ refused the connection: Authorization Violation \(check the trial template's nats settings/);
      expect(message).not.toContain('not-the-password');
    } finally {
      await guarded.dispose();
    }
  });

  it('NATS out of reach exits 3 (retried by the Job) after the connect timeout', async () => {
    const env = jobEnv('jobs-down', 0, { NATS_URL: 'nats://127.0.0.1:1', ENAS_JOB_CONNECT_TIMEOUT_MS: '300' });
    expect(await runTrialJob(env)).toBe(JOB_EXIT.NATS_UNAVAILABLE);
    expect(readFileSync(join(dir, 'jobs-down-0.log'), 'utf8')).toMatch(/not reachable within 300 ms/);
  });
});
