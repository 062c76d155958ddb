import { connect, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STREAMS, SUBJECTS, type TrialRequest } from '@dcl-enas/contracts';
import { EventLog, NatsServerProcess, TrialQueue, ensureJetStream } from '@dcl-enas/cluster';
import { JobTrialDispatcher } from './job-dispatcher';
import { parseTrialTemplate } from './trial-template';
import { KubeApiStandin, TEST_NAMESPACE } from '@dcl-enas/k8s-testing';
import { PATIENT_MS, launcherFor, testTemplate, waitFor } from '../test-support/harness';

let nats: NatsServerProcess;
let nc: NatsConnection;
let log: EventLog;

beforeAll(async () => {
  nats = await NatsServerProcess.start();
  nc = await connect({ servers: nats.url });
  await ensureJetStream(nc, { replicas: 1, maxMessageBytes: 262144 });
  log = await EventLog.open(nc, null);
});

afterAll(async () => {
  await nc?.drain();
  await nats?.stop();
});

const TOKEN = '3'.repeat(32);
const trial = (experimentId: string, index: number): TrialRequest => ({ experimentId, index, space: 'nb201', dataset: 'cifar10', arch: `arch-${index}`, key: `key-${index}`, token: TOKEN });

describe('JobTrialDispatcher (real nats-server, stand-in Kubernetes API server)', () => {
  it('queues each trial and gives it a Job that reads it by id; resumes without duplicates; withdraws both', async () => {
    const standin = await KubeApiStandin.start({ podBehaviour: () => ({ kind: 'run-until-deleted' }) });
    const launcher = launcherFor(standin);
    try {
      await launcher.start();
      const dispatcher = new JobTrialDispatcher(await TrialQueue.open(nc, log), log, launcher, () => parseTrialTemplate(testTemplate()));
      await dispatcher.dispatch([trial('disp', 0), trial('disp', 1), trial('disp', 2)], false);
      await waitFor('3 Jobs', () => standin.jobs(TEST_NAMESPACE).filter((job) => !job.spec?.suspend).length === 3, PATIENT_MS);
      for (let index = 0; index < 3; index++) expect(await log.hasSubject(STREAMS.trials, SUBJECTS.trial('disp', index))).toBe(true);
      const ids = standin
        .jobs(TEST_NAMESPACE)
        .filter((job) => !job.spec?.suspend)
        .map((job) => job.spec!.template.spec!.containers[0]!.env!.find((e) => e.name === 'ENAS_TRIAL_ID')!.value);
      expect(ids.sort()).toEqual(['0', '1', '2']);

      // The orchestrator restarts: trial 3 is new, trial 0 already has its result, 1 and 2 run.
      await log.append('disp', { type: 'result', index: 0, key: 'key-0', token: TOKEN, trainer: 'job:x', attempt: 1, outcome: { valAcc: 90, testAcc: 89, trainSeconds: 100 }, at: new Date().toISOString() });
      await launcher.stop();
      const restarted = launcherFor(standin);
      await restarted.start();
      const again = new JobTrialDispatcher(await TrialQueue.open(nc, log), log, restarted, () => parseTrialTemplate(testTemplate()));
      await again.dispatch([trial('disp', 0), trial('disp', 1), trial('disp', 2), trial('disp', 3)], true);
      await waitFor('4 Jobs', () => standin.stats.creates === 1 + 3 + 1, PATIENT_MS);
      expect(restarted.trialStatus('disp', '1')!.adopted).toBe(true);
      expect(standin.stats.alreadyExists).toBe(0);

      expect(await again.withdraw('disp')).toBeGreaterThan(0);
      await waitFor('Jobs deleted', () => standin.jobs(TEST_NAMESPACE).length === 0, PATIENT_MS);
      expect(await log.hasSubject(STREAMS.trials, SUBJECTS.trial('disp', 2))).toBe(false);
      await restarted.stop();
    } finally {
      await launcher.stop();
      await standin.close();
    }
  });
});
