import { describe, expect, it } from 'vitest';
import { Rng, resolveDataDir } from '@dcl-enas/common';
import { openNb201, type Evaluator } from '@dcl-enas/benchmarks';
import type { ExperimentEvent, ExperimentSpec, ResultEvent, TrialRequest } from '@dcl-enas/contracts';
import type { SearchSpace } from '@dcl-enas/spaces';
import { createStrategy } from '../strategies/registry';
import { searchWithEvaluator } from './embedded-run';
import { ExperimentRun, type RunPorts } from './experiment-run';
import { auditLog } from './audit';
import { foldLog } from './fold-log';

const bench = openNb201('cifar10', resolveDataDir());
const evaluator = bench.evaluator as Evaluator<unknown>;
const space = evaluator.space as SearchSpace<unknown>;
const spec = (over: Partial<ExperimentSpec> = {}): ExperimentSpec => ({ apiVersion: 'enas/v1', kind: 'Experiment', space: 'nb201', dataset: 'cifar10', strategy: 'rea', seed: 4, queries: 40, batchSize: 3, ...over });

/** An in-memory log and a trainer pool that answers in a shuffled order, sometimes twice. */
function harness(rng: Rng, crashAfterProposals = Infinity) {
  const log: ExperimentEvent[] = [];
  let runRef: ExperimentRun<unknown> | null = null;
  let proposals = 0;
  const ports: RunPorts = {
    log: {
      async append(e) {
        if (e.type === 'proposed' && ++proposals > crashAfterProposals) throw new Error('crash');
        log.push(e);
        runRef?.apply(e);
      },
    },
    trials: {
      async dispatch(trials: readonly TrialRequest[]) {
        const order = rng.shuffle([...trials, ...trials.filter(() => rng.float() < 0.3)]);
        for (const t of order) {
          const r = evaluator.query(space.parse(t.arch), t.dataset);
          const e: ExperimentEvent = { type: 'result', index: t.index, key: t.key, token: t.token, outcome: { valAcc: r.valAcc, testAcc: r.testAcc, trainSeconds: r.trainSeconds }, trainer: 'mem', attempt: 1, at: new Date().toISOString() };
          setTimeout(() => {
            log.push(e);
            runRef?.apply(e);
          }, rng.below(3));
        }
      },
    },
  };
  return { log, ports, attach: (run: ExperimentRun<unknown>) => (runRef = run) };
}

const strategyFor = (s: ExperimentSpec) => createStrategy(s.strategy, { space, rng: Rng.seeded(s.seed), seed: s.seed, budget: s.queries });

describe('ExperimentRun', () => {
  it('gives the in-process search (one trial at a time, in order) for any delivery order and duplicate results', async () => {
    const s = spec();
    const embedded = await searchWithEvaluator({ evaluator, dataset: s.dataset, strategy: strategyFor(s), queries: s.queries, batchSize: s.batchSize });
    const h = harness(Rng.seeded(9));
    const run = new ExperimentRun('e1', s, space, strategyFor(s), h.ports);
    h.attach(run);
    expect(await run.run()).toEqual({ status: 'completed' });
    expect(run.trajectory).toEqual(embedded.trajectory);
    expect(run.best?.key).toBe(embedded.best.key);
    expect(run.duplicateResults).toBeGreaterThan(0);
    const audit = auditLog(h.log);
    expect(audit.lost).toEqual([]);
    expect(audit.proposed).toBe(s.queries);
    expect(foldLog(h.log).trajectory).toEqual(embedded.trajectory);
  });

  it('replays a log cut short by a crash and continues to the same search', async () => {
    const s = spec({ strategy: 'rea', seed: 11, batchSize: 1, queries: 30 });
    const embedded = await searchWithEvaluator({ evaluator, dataset: s.dataset, strategy: strategyFor(s), queries: s.queries });
    const first = harness(Rng.seeded(1), 17);
    const crashed = new ExperimentRun('e2', s, space, strategyFor(s), first.ports);
    first.attach(crashed);
    await expect(crashed.run()).rejects.toThrow('crash');
    await new Promise((r) => setTimeout(r, 20));

    const second = harness(Rng.seeded(2));
    second.log.push(...first.log);
    const resumed = new ExperimentRun('e2', s, space, strategyFor(s), second.ports);
    for (const e of first.log) resumed.apply(e);
    second.attach(resumed);
    expect(await resumed.run()).toEqual({ status: 'completed' });
    expect(resumed.trajectory).toEqual(embedded.trajectory);
  });

  it('fails with a reason when the log does not replay into the same search', async () => {
    const s = spec({ queries: 6, batchSize: 2 });
    const h = harness(Rng.seeded(3));
    const run = new ExperimentRun('e3', s, space, strategyFor({ ...s, seed: 99 }), h.ports);
    h.attach(run);
    run.apply({ type: 'proposed', batch: 0, trials: [{ index: 0, arch: 'x', key: 'k0', token: '0'.repeat(32) }, { index: 1, arch: 'y', key: 'k1', token: '1'.repeat(32) }] });
    const end = await run.run();
    expect(end.status).toBe('failed');
    expect(end.status === 'failed' && end.reason).toMatch(/replay diverged at batch 0/);
  });

  it('refuses results that do not come from the trial runner, and keeps the first genuine one', async () => {
    const s = spec({ queries: 3, batchSize: 3 });
    const dispatched: TrialRequest[] = [];
    const log: ExperimentEvent[] = [];
    const ports: RunPorts = { log: { append: async (e) => void log.push(e) }, trials: { dispatch: async (trials) => void dispatched.push(...trials) } };
    const run = new ExperimentRun('e5', s, space, strategyFor(s), ports);
    const ended = run.run();
    await expect.poll(() => dispatched.length).toBe(3);
    const [t0, t1, t2] = dispatched;
    expect(new Set(dispatched.map((t) => t.token)).size).toBe(3);
    const result = (t: TrialRequest, over: Partial<ResultEvent> = {}): ResultEvent => ({ type: 'result', index: t.index, key: t.key, token: t.token, outcome: { valAcc: 50, testAcc: 50, trainSeconds: 1 }, trainer: 'mem', attempt: 1, at: new Date().toISOString(), ...over });
    const forged = [
      result(t0, { token: 'f'.repeat(32), outcome: { valAcc: 99.99, testAcc: 99.99, trainSeconds: 1 } }),
      result(t1, { token: 'f'.repeat(32), outcome: null, error: 'forged failure' }),
      result(t2, { key: t0.key }),
      result({ ...t0, index: 7 }),
    ];
    for (const e of forged) expect(run.apply(e)?.kind).toBe('refused');
    expect(run.refusedResults.map((r) => r.reason)).toEqual([
      "trial 0: the result does not carry the trial's token",
      "trial 1: the result does not carry the trial's token",
      `trial 2 is ${t2.key}, not ${t0.key}`,
      'trial 7 was never proposed',
    ]);
    for (const t of [t0, t1, t2]) expect(run.apply(result(t))?.kind).toBe('accepted');
    expect(run.apply(result(t0, { outcome: { valAcc: 99.99, testAcc: 99.99, trainSeconds: 1 } }))?.kind).toBe('duplicate');
    expect(await ended).toEqual({ status: 'completed' });
    expect(run.best?.valAcc).toBe(50);
    const folded = foldLog([...log, ...forged, result(t0), result(t1), result(t2)]);
    expect(folded.best?.valAcc).toBe(50);
    expect(folded.trajectory).toHaveLength(3);
    expect(auditLog([...log, ...forged, result(t0), result(t1), result(t2)]).refused).toHaveLength(4);
  });

  it('stops while waiting for results', async () => {
    const s = spec({ queries: 10 });
    const ports: RunPorts = { log: { append: async () => undefined }, trials: { dispatch: async () => undefined } };
    const run = new ExperimentRun('e4', s, space, strategyFor(s), ports);
    const ended = run.run();
    setTimeout(() => run.apply({ type: 'stop', reason: 'user asked', at: new Date().toISOString() }), 5);
    expect(await ended).toEqual({ status: 'stopped', reason: 'user asked' });
  });

  it('goes on after failed trials up to trial.maxFailedTrials, never proposes a failed architecture again, and fails at one more', async () => {
    const failing = (maxFailedTrials: number | undefined, failEvery: number) => {
      const s = spec({ queries: 30, batchSize: 1, trial: maxFailedTrials === undefined ? undefined : { maxFailedTrials, parallel: 1, retries: 0 } });
      const log: ExperimentEvent[] = [];
      let ref: ExperimentRun<unknown> | null = null;
      const ports: RunPorts = {
        log: { append: async (e) => void (log.push(e), ref?.apply(e)) },
        trials: {
          async dispatch(trials) {
            for (const t of trials) {
              const fails = t.index % failEvery === failEvery - 1;
              const r = evaluator.query(space.parse(t.arch), t.dataset);
              const e: ExperimentEvent = { type: 'result', index: t.index, key: t.key, token: t.token, outcome: fails ? null : { valAcc: r.valAcc, testAcc: r.testAcc, trainSeconds: r.trainSeconds }, ...(fails ? { error: 'exit 1: out of memory' } : {}), trainer: 'mem', attempt: 1, at: new Date().toISOString() };
              log.push(e);
              ref?.apply(e);
            }
          },
        },
      };
      const run = new ExperimentRun('e6', s, space, strategyFor(s), ports);
      ref = run;
      return { run, log };
    };
    // every 10th trial fails: 3 of 30, within the default max(3, 10 % of 30)
    const tolerated = failing(undefined, 10);
    expect(await tolerated.run.run()).toEqual({ status: 'completed' });
    expect(tolerated.run.failedTrials.map((f) => f.index)).toEqual([9, 19, 29]);
    expect(tolerated.run.trajectory).toHaveLength(27);
    const proposed = tolerated.log.flatMap((e) => (e.type === 'proposed' ? e.trials.map((t) => t.key) : []));
    expect(new Set(proposed).size).toBe(30);
    // every 5th fails: the 3rd failure is one more than 2 tolerated
    const strict = failing(2, 5);
    const end = await strict.run.run();
    expect(end.status).toBe('failed');
    expect(end.status === 'failed' && end.reason).toMatch(/^trial 14 \(.+\) failed: exit 1: out of memory \(3 trials failed, more than the 2 tolerated: trial\.maxFailedTrials\)$/);
  });
});
