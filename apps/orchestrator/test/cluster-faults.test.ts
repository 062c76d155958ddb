import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSUMERS, STREAMS } from '@dcl-enas/contracts';
import { auditLog, foldLog } from '@dcl-enas/search';
import type { ConfigOverrides } from '@dcl-enas/predictor';
import { Cluster, embedded } from './cluster-harness';

/**
 * The default predictor of a search (SEARCH_SCHEDULE: one member, 100 epochs, warm-started
 * 20-epoch refreshes, default head and batch) with only the encoder and stage 1 made small, so
 * that the test needs no warm stage-1 cache. The full-size run (default encoder too) is
 * tools/bench/cluster-equivalence-faults.ts (docs/results/cluster-equivalence.md).
 */
const SMALL_ENCODER: ConfigOverrides = {
  encoder: { hidden: 16, layers: 2 },
  pretrain: { epochs: 1, sampleSize: 256, batchSize: 64 },
};

/**
 * The acceptance run: a 100-query NB201 dcl-enas experiment through the services, with
 * the orchestrator killed (-9) and restarted, a trainer killed mid-trial, and nats-server killed
 * and restarted, gives exactly the embedded search; the event log shows every trial trained
 * once and none lost. The predictor (the graph network of libs/predictor with the search's
 * fine-tuning schedule and a small encoder) runs as two replicas of one queue group.
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
    const gnn = { ENAS_PREDICTOR_ENGINE: 'gnn', ENAS_GNN_CONFIG: JSON.stringify(SMALL_ENCODER), ENAS_REQUEST_TIMEOUT_MS: '60000' };
    const [orchestrator, trainerA, predictor1, predictor2] = await Promise.all([
      cluster.serve('orchestrator', { ENAS_REQUEST_TIMEOUT_MS: '60000' }),
      cluster.serve('trainer'),
      cluster.serve('predictor', gnn),
      cluster.serve('predictor', gnn),
      cluster.serve('encoder', gnn),
    ]);
    const expected = await embedded(spec, SMALL_ENCODER);
    const id = await cluster.submit(spec);

    await cluster.waitFor(id, (x) => x.queriesDone >= 25);
    await orchestrator.kill('SIGKILL');
    await cluster.serve('orchestrator', { ENAS_REQUEST_TIMEOUT_MS: '60000' });

    await cluster.waitFor(id, (x) => x.queriesDone >= 50);
    // Kill the only trainer while it holds a trial (delivered, not acknowledged); the trial
    // comes back to the next trainer after the ack wait. If the trial finished just before
    // the kill landed, try again with the replacement.
    const jsm = await (await cluster.connection()).jetstreamManager();
    const held = async () => (await jsm.consumers.info(STREAMS.trials, CONSUMERS.trainers)).num_ack_pending;
    let victim = trainerA;
    for (let attempt = 1; ; attempt++) {
      await expect.poll(held, { timeout: 20_000, interval: 5 }).toBeGreaterThan(0);
      await victim.kill('SIGKILL');
      const killedMidTrial = (await held()) > 0;
      const replacement = await cluster.serve('trainer');
      if (killedMidTrial) break;
      expect(attempt).toBeLessThan(5);
      victim = replacement;
    }

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
    expect(audit.refused).toEqual([]);
    expect(audit.redelivered.length).toBeGreaterThanOrEqual(1);
    expect(foldLog(events).trajectory).toEqual(expected.trajectory);
    expect(events.filter((e) => e.type === 'ended')).toHaveLength(1);

    // Both replicas of the queue group did work.
    expect(predictor1.count('predictor fitted') + predictor1.count('ranked')).toBeGreaterThan(0);
    expect(predictor2.count('predictor fitted') + predictor2.count('ranked')).toBeGreaterThan(0);
  }, 180_000);
});
