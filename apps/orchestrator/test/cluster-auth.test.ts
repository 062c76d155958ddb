import { afterEach, describe, expect, it } from 'vitest';
import type { NatsConnection } from 'nats';
import { CONSUMERS, STREAMS, type ExperimentEvent, type ProposedEvent } from '@dcl-enas/contracts';
import { auditLog } from '@dcl-enas/search';
import { Cluster, embedded, type ClusterAuth, type ServiceProcess } from './cluster-harness';

/**
 * Issue 13: the services under the generated per-service NATS users and the permissions the
 * chart ships (passwords, and NKeys). A restarted orchestrator resumes an experiment whose trial
 * was in flight when it and the trainer were killed, in either order, after a delay; and the
 * trainer's user can neither stop, end, fail nor falsify an experiment.
 */
const SPEC = { space: 'nb201', dataset: 'cifar10', strategy: 'rea', seed: 5, queries: 15, batchSize: 1 };
/** About 1 s per NB201 trial: a trial is in flight most of the time. */
const SLOW = { ENAS_TRAINER_TIME_SCALE: '0.006' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let cluster: Cluster | null = null;
afterEach(async () => {
  await cluster?.dispose();
  cluster = null;
});

async function inFlight(c: Cluster): Promise<void> {
  const jsm = await (await c.connection()).jetstreamManager();
  await expect.poll(async () => (await jsm.consumers.info(STREAMS.trials, CONSUMERS.trainers)).num_ack_pending, { timeout: 20_000, interval: 20 }).toBeGreaterThan(0);
}

describe.each<[ClusterAuth, 'orchestrator' | 'trainer', number]>([
  ['passwords', 'orchestrator', 4000],
  ['nkeys', 'trainer', 2500],
])('under the shipped permissions (%s)', (auth, first, delayMs) => {
  it(`kill -9 of orchestrator and trainer mid-trial, ${first} restarted first after ${delayMs} ms: completes as the embedded search`, async () => {
    const c = (cluster = await Cluster.start(auth));
    const [orchestrator, trainer] = await Promise.all([c.serve('orchestrator'), c.serve('trainer', SLOW)]);
    const expected = await embedded(SPEC);
    const id = await c.submit(SPEC);
    await c.waitFor(id, (x) => x.queriesDone >= 4);
    await inFlight(c);
    await Promise.all([orchestrator.kill('SIGKILL'), trainer.kill('SIGKILL')]);

    const restarted: ServiceProcess[] = [];
    await sleep(delayMs);
    restarted.push(await c.serve(first, first === 'trainer' ? SLOW : {}));
    await sleep(delayMs);
    restarted.push(await c.serve(first === 'trainer' ? 'orchestrator' : 'trainer', first === 'trainer' ? {} : SLOW));

    const done = await c.waitFor(id, (x) => x.status !== 'running' && x.status !== 'queued', 90_000);
    expect(done.status, c.logs()).toBe('completed');
    expect(done.trajectory).toEqual(expected.trajectory);
    expect(done.best?.key).toBe(expected.best.key);
    const audit = auditLog(await c.events(id));
    expect(audit).toMatchObject({ lost: [], refused: [], proposedTwice: [] });
    expect(c.violations()).toEqual([]);
    const resumed = restarted.find((p) => p.name === 'orchestrator')!;
    expect(resumed.count('experiment run interrupted; replaying its log to continue')).toBe(0);
  }, 180_000);
});

describe("the trainer's NATS user", () => {
  it('cannot stop, end, fail or falsify an experiment, nor read its log; the real results are applied', async () => {
    const c = (cluster = await Cluster.start('passwords'));
    await Promise.all([c.serve('orchestrator'), c.serve('trainer', SLOW)]);
    const spec = { ...SPEC, queries: 10 };
    const expected = await embedded(spec);
    const id = await c.submit(spec);
    await c.waitFor(id, (x) => x.queriesDone >= 3);
    await inFlight(c);

    const attacker: NatsConnection = await c.connectAs('trainer');
    const js = attacker.jetstream();
    const at = new Date().toISOString();
    const body = (e: unknown) => new TextEncoder().encode(JSON.stringify(e));
    // the orchestrator's own subjects: refused by nats-server
    for (const [subject, event] of [
      [`enas.v1.events.${id}.stop`, { type: 'stop', reason: 'forged', at }],
      [`enas.v1.events.${id}.ended`, { type: 'ended', status: 'completed', at }],
      [`enas.v1.events.${id}.created`, { type: 'created', experimentId: id, spec: { apiVersion: 'enas/v1', kind: 'Experiment', ...spec, queries: 11 }, at }],
      [`enas.v1.events.${id}.proposed.99`, { type: 'proposed', batch: 99, trials: [{ index: 99, arch: 'x', key: 'x', token: '0'.repeat(32) }] }],
    ] as const) {
      attacker.publish(subject, body(event));
    }
    await attacker.flush();
    await expect.poll(() => c.violations().length, { timeout: 5000 }).toBe(4);
    // reading the event log or a queued trial: refused too
    await expect(attacker.request(`$JS.API.STREAM.MSG.GET.${STREAMS.events}`, body({ last_by_subj: `enas.v1.events.${id}.created` }), { timeout: 1000 })).rejects.toThrow();
    await expect(attacker.request(`$JS.API.STREAM.MSG.GET.${STREAMS.trials}`, body({ last_by_subj: `enas.v1.trials.${id}.4` }), { timeout: 1000 })).rejects.toThrow();

    // other event types on a result subject, which the trainer may publish on: stored, and dropped by every reader
    for (const event of [
      { type: 'stop', reason: 'forged', at },
      { type: 'proposed', batch: 1, trials: [{ index: 1, arch: 'x', key: 'x', token: '0'.repeat(32) }] },
      { type: 'ended', status: 'completed', at },
      { type: 'created', experimentId: id, spec: { apiVersion: 'enas/v1', kind: 'Experiment', ...spec }, at },
    ]) {
      await js.publish(`enas.v1.events.${id}.result.0`, body(event));
    }

    // results for the trial in flight (its key read by the test, not the attacker): no token, a wrong one, a failure
    const events = await c.events(id);
    const proposals = events.filter((e): e is ProposedEvent => e.type === 'proposed');
    const current = proposals.at(-1)!.trials[0]!;
    const answered = proposals[0]!.trials[0]!;
    const result = (trial: { index: number; key: string }, over: Record<string, unknown>) => ({ type: 'result', index: trial.index, key: trial.key, outcome: { valAcc: 99.99, testAcc: 99.99, trainSeconds: 1 }, trainer: 'forger', attempt: 1, at, ...over });
    await js.publish(`enas.v1.events.${id}.result.${current.index}`, body(result(current, {})));
    await js.publish(`enas.v1.events.${id}.result.${current.index}`, body(result(current, { token: 'f'.repeat(32) })));
    await js.publish(`enas.v1.events.${id}.result.${current.index}`, body(result(current, { token: 'f'.repeat(32), outcome: null, error: 'forged failure' })));
    await js.publish(`enas.v1.events.${id}.result.${current.index + 1}`, body(result({ index: current.index + 1, key: 'guess' }, { token: 'f'.repeat(32) })));
    // a second result for an answered trial, even with its real token, changes nothing
    await js.publish(`enas.v1.events.${id}.result.${answered.index}`, body(result(answered, { token: answered.token })));
    await attacker.close();

    const done = await c.waitFor(id, (x) => x.status !== 'running' && x.status !== 'queued', 90_000);
    expect(done.status, c.logs()).toBe('completed');
    expect(done.trajectory).toEqual(expected.trajectory);
    expect(done.best?.key).toBe(expected.best.key);
    expect(done.best?.valAcc).toBe(expected.best.valAcc);

    // after a restart the orchestrator reads the same log the same way
    await c.services.find((s) => s.name === 'orchestrator')!.kill('SIGKILL');
    await c.serve('orchestrator');
    const again = await c.waitFor(id, () => true);
    expect(again).toMatchObject({ status: 'completed', queriesDone: spec.queries, best: done.best });
    expect(again.trajectory).toEqual(expected.trajectory);

    const log: ExperimentEvent[] = await c.events(id);
    expect(log.filter((e) => e.type === 'stop' || e.type === 'created')).toHaveLength(1); // the genuine created
    expect(log.filter((e) => e.type === 'ended')).toEqual([expect.objectContaining({ status: 'completed' })]);
    const audit = auditLog(log);
    expect(audit).toMatchObject({ lost: [], proposed: spec.queries });
    // the one without a token never decodes (dead-lettered); two with a wrong token; one for a trial not proposed when it came
    expect(audit.refused).toHaveLength(3);
    expect(audit.refused.filter((r) => r.includes("does not carry the trial's token"))).toHaveLength(2);
  }, 180_000);
});
