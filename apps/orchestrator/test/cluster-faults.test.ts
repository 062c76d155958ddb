import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, foldLog } from '@dcl-enas/experiments';
import { Cluster, embedded } from './cluster-harness';

/**
 * The acceptance run: a 100-query NB201 dcl-enas experiment through the services, with
 * the orchestrator killed (-9) and restarted, a trainer killed mid-trial, and nats-server killed
 * and restarted, gives exactly the embedded search; the event log shows every trial trained
 * once and none lost. The predictor runs as two replicas of one queue group.
 */
describe('an experiment survives crashes of the orchestrator, a trainer and nats-server', () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await Cluster.start();
  });
  afterAll(async () => {
    await cluster?.dispose();
  });

  it('gives the embedded search exactly, each trial trained once', async () => {
    const spec = { space: 'nb201', dataset: 'cifar10', strategy: 'dcl-enas', seed: 7, queries: 100, batchSize: 1 };
    const [orchestrator, trainerA, predictor1, predictor2] = await Promise.all([
      cluster.serve('orchestrator'),
      cluster.serve('trainer'),
      cluster.serve('predictor'),
      cluster.serve('predictor'),
      cluster.serve('encoder'),
    ]);
    const expected = await embedded(spec);
    const id = await cluster.submit(spec);

    await cluster.waitFor(id, (x) => x.queriesDone >= 25);
    await orchestrator.kill('SIGKILL');
    await cluster.serve('orchestrator');

    await cluster.waitFor(id, (x) => x.queriesDone >= 50);
    // The only trainer is busy whenever the experiment waits, so this kill lands mid-trial;
    // the trial comes back to the next trainer after the ack wait.
    await trainerA.kill('SIGKILL');
    await cluster.serve('trainer');

    await cluster.waitFor(id, (x) => x.queriesDone >= 75);
    await cluster.nats.stop('SIGKILL');
    await expect.poll(async () => (await fetch(`${cluster.api}/readyz`)).status, { timeout: 5000, interval: 50 }).toBe(503);
    await new Promise((r) => setTimeout(r, 500));
    await cluster.nats.startAgain();

    const done = await cluster.waitFor(id, (x) => x.status !== 'running' && x.status !== 'queued', 90_000);
    expect(done.status).toBe('completed');
    expect(done.best?.key).toBe(expected.best.key);
    expect(done.best?.valAcc).toBe(expected.best.valAcc);
    expect(done.trajectory).toEqual(expected.trajectory);

    const events = await cluster.events(id);
    const audit = auditLog(events);
    expect(audit.proposed).toBe(100);
    expect(audit.proposedTwice).toEqual([]);
    expect(audit.trainedTwice).toEqual([]);
    expect(audit.lost).toEqual([]);
    expect(audit.orphans).toEqual([]);
    expect(audit.redelivered.length).toBeGreaterThanOrEqual(1);
    expect(foldLog(events).trajectory).toEqual(expected.trajectory);
    expect(events.filter((e) => e.type === 'ended')).toHaveLength(1);

    // Both replicas of the queue group did work.
    expect(predictor1.count('predictor fitted') + predictor1.count('ranked')).toBeGreaterThan(0);
    expect(predictor2.count('predictor fitted') + predictor2.count('ranked')).toBeGreaterThan(0);
  }, 180_000);
});
