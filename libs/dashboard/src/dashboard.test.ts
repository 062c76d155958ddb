import { describe, expect, it } from 'vitest';
import { Rng, kendallTau, resolveDataDir } from '@dcl-enas/common';
import { evaluateTrial, openNb201 } from '@dcl-enas/benchmarks';
import type { ExperimentSpec } from '@dcl-enas/contracts';
import { spaceByName } from '@dcl-enas/experiments';
import { inProcessPredictors, ridgeEngine } from '@dcl-enas/predictor-engines';
import { createStrategy, runEmbedded, searchWithEvaluator, type PredictorProvider, type RankingPredictor } from '@dcl-enas/search';
import { nb101Space, nb201Space } from '@dcl-enas/spaces';
import { DashboardHub, watchExperiment } from './hub';
import { DASHBOARD_OPEN_PATHS, dashboardPage } from './page';
import { recordPredictions } from './predictions';
import { cellSvg, curveSvg, hitRateSvg, niceTicks, tauSvg } from './svg';
import { ExperimentTracker, RANKING_MIN_REFERENCE, cycleQuality, rankingQuality, type CycleQuality, type TrialRow } from './tracker';

const spec = (over: Partial<ExperimentSpec> = {}): ExperimentSpec => ({ apiVersion: 'enas/v1', kind: 'Experiment', space: 'nb201', dataset: 'cifar10', strategy: 'dcl-enas', seed: 0, queries: 40, batchSize: 1, ...over });

describe('an embedded search seen through the dashboard', () => {
  it('does not change the search, and the view has its curve, trials, predicted scores, hit rate and tau per cycle', async () => {
    const { evaluator } = openNb201('cifar10', resolveDataDir());
    const run = async (observe: boolean) => {
      const predictors = inProcessPredictors(ridgeEngine, spaceByName);
      const recorder = recordPredictions(predictors, evaluator.space);
      const strategy = createStrategy('dcl-enas', { space: evaluator.space, rng: Rng.seeded(5), seed: 5, budget: 40, predictors: observe ? recorder.provider : predictors });
      const hub = new DashboardHub({ stuckAfterSeconds: 60 });
      if (!observe) return { hub, outcome: await searchWithEvaluator({ evaluator, dataset: 'cifar10', strategy, queries: 40 }) };
      const { run } = await runEmbedded({ id: 'e1', spec: spec({ seed: 5 }), space: evaluator.space, strategy, evaluate: (t) => evaluateTrial(evaluator, t), onEvent: (e) => hub.apply('e1', e), predictions: recorder.prediction });
      return { hub, outcome: { trajectory: run.trajectory, best: run.best! } };
    };
    const plain = await run(false);
    const seen = await run(true);
    expect(seen.outcome.trajectory).toEqual(plain.outcome.trajectory);
    expect(seen.outcome.best.key).toBe(plain.outcome.best.key);

    const view = seen.hub.view('e1')!;
    expect(view.status).toBe('completed');
    expect(view.curve.map((p) => [p.bestValAcc, p.bestTestAcc])).toEqual(seen.outcome.trajectory.map((p) => [p.bestValAcc, p.bestTestAcc]));
    expect(view.best!.arch).toBe(seen.outcome.best.arch);
    expect(view.trials).toHaveLength(40);
    expect(view.trials[0].index).toBe(39); // newest first
    expect(view.trials.every((t) => t.state === 'succeeded' && t.pod !== null && t.durationSeconds !== null)).toBe(true);
    // 20 random architectures, then 4 cycles of 5 chosen by the predictor.
    const byIndex = [...view.trials].sort((a, b) => a.index - b.index);
    expect(byIndex.slice(0, 20).every((t) => t.predicted === null)).toBe(true);
    expect(byIndex.slice(20).map((t) => t.cycle)).toEqual([1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 4, 4, 4, 4, 4]);
    expect(view.cycles.map((c) => c.trials)).toEqual([5, 5, 5, 5]);
    const random = byIndex.slice(0, 20).map((t) => t.valAcc!).sort((a, b) => a - b);
    const median = (random[9] + random[10]) / 2;
    const beats = (v: number, threshold: number) => (v > threshold ? 1 : v === threshold ? 0.5 : 0);
    const picks = byIndex.slice(20);
    for (const c of view.cycles) {
      const rows = byIndex.filter((t) => t.cycle === c.cycle);
      expect(c.tau).toBeCloseTo(kendallTau(rows.map((r) => r.predicted!), rows.map((r) => r.valAcc!)), 12);
      expect(c.hitRate).toBeCloseTo(rows.reduce((n, r) => n + beats(r.valAcc!, median), 0) / 5, 12);
      expect(c.beatBestRate).toBeCloseTo(rows.reduce((n, r) => n + beats(r.valAcc!, random[19]), 0) / 5, 12);
      const soFar = picks.filter((t) => t.cycle! <= c.cycle);
      expect(c.hitRateSoFar).toBeCloseTo(soFar.reduce((n, r) => n + beats(r.valAcc!, median), 0) / soFar.length, 12);
    }
    expect(view.ranking).toMatchObject({ reference: 20, referenceMedian: median, referenceBest: random[19], picks: 20, chanceBeatBest: 1 / 21 });
    expect(view.ranking!.hitRate).toBe(view.cycles[3].hitRateSoFar);
    // Within a cycle the strategy takes the predictor's top picks in order of score.
    const firstCycle = byIndex.filter((t) => t.cycle === 1).map((t) => t.predicted!);
    expect(firstCycle).toEqual([...firstCycle].sort((a, b) => b - a));
    expect(view.svg.curve).toContain('data-points="40"');
    expect(view.svg.ranking).toContain('data-cycles="4"');
    expect(view.svg.ranking).toContain('class="chance"');
    expect(view.svg.tau).toContain('data-cycles="4"');
    expect(view.svg.cell).toContain('<circle');
    expect(seen.hub.stats().trialsByState.succeeded).toBe(40);
    expect(seen.hub.stats().latestTau).toEqual([{ experiment: 'e1', tau: view.cycles[3].tau }]);
    expect(seen.hub.stats().hitRate).toEqual([{ experiment: 'e1', hitRate: view.ranking!.hitRate, picks: 20 }]);
  });

  it('the hit rate tells a predictor that ranks from one that scores at random; tau within a batch does not', async () => {
    const { evaluator } = openNb201('cifar100', resolveDataDir());
    // A predictor that ranks well but not perfectly: the table's validation accuracy plus noise of
    // sd 3 points (about the spread of the space's top cells); and one that scores at random.
    const scored = (score: (arch: unknown) => number): PredictorProvider => <A>(): RankingPredictor<A> => ({ fit: () => Promise.resolve(), score: (archs: readonly A[]) => Promise.resolve(Float32Array.from(archs, score)) });
    const noisyOracle = (seed: number) => {
      const rng = Rng.seeded(seed);
      return scored((arch) => evaluator.query(arch, 'cifar100').valAcc + 3 * rng.normal());
    };
    const atRandom = (seed: number) => {
      const rng = Rng.seeded(seed);
      return scored(() => rng.float());
    };
    const view = async (predictors: PredictorProvider, seed: number) => {
      const recorder = recordPredictions(predictors, evaluator.space);
      const strategy = createStrategy('dcl-enas', { space: evaluator.space, rng: Rng.seeded(seed), seed, budget: 60, predictors: recorder.provider });
      const hub = new DashboardHub({ stuckAfterSeconds: 60 });
      await runEmbedded({ id: 'e', spec: spec({ dataset: 'cifar100', queries: 60, seed }), space: evaluator.space, strategy, evaluate: (t) => evaluateTrial(evaluator, t), onEvent: (e) => hub.apply('e', e), predictions: recorder.prediction });
      return hub.view('e')!;
    };
    const meanTau = (v: { cycles: readonly CycleQuality[] }) => v.cycles.reduce((n, c) => n + c.tau!, 0) / v.cycles.length;
    const taus: { good: number; random: number }[] = [];
    for (const seed of [0, 1, 2]) {
      const good = await view(noisyOracle(seed), seed);
      const random = await view(atRandom(seed), seed);
      expect(good.ranking).toMatchObject({ reference: 20, picks: 40 });
      // 60 queries: 40 picks over 8 fits. The noisy oracle's picks beat the random median (chance 0.5) all but always, and mostly the best random trial (chance 1/21).
      expect(good.ranking!.hitRate).toBeGreaterThanOrEqual(0.95);
      expect(good.ranking!.beatBestRate).toBeGreaterThanOrEqual(0.9);
      expect(random.ranking!.hitRate).toBeLessThanOrEqual(0.7);
      expect(random.ranking!.beatBestRate).toBeLessThanOrEqual(0.15);
      taus.push({ good: meanTau(good), random: meanTau(random) });
    }
    // Tau within each batch of 5 near-tied picks: about 0 for both, the good predictor's below the random one's at some seed.
    expect(Math.abs(taus.reduce((n, t) => n + t.good, 0) / taus.length)).toBeLessThan(0.2);
    expect(taus.some((t) => t.good < t.random)).toBe(true);
  }, 120_000);
});

const TOKEN = '5'.repeat(32);

describe('trial states', () => {
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  const iso = (s: number) => new Date(t0 + s * 1000).toISOString();
  const arch = '|nor_conv_3x3~0|+|skip_connect~0|none~1|+|avg_pool_3x3~0|nor_conv_1x1~1|skip_connect~2|';

  it('waiting, stuck with the reason, pending with the launcher reason, succeeded, failed, withdrawn', () => {
    let now = t0;
    const tracker = new ExperimentTracker('x', { stuckAfterSeconds: 30, now: () => now });
    tracker.apply({ type: 'created', experimentId: 'x', spec: spec({ queries: 4 }), at: iso(0) });
    tracker.apply({ type: 'proposed', batch: 0, trials: [0, 1, 2, 3].map((i) => ({ index: i, arch, key: `k${i}`, token: TOKEN })) }, iso(0));
    tracker.setWaitingHint('no trainer is taking trials from the work queue (4 waiting)');
    now = t0 + 10_000;
    tracker.tick();
    expect(tracker.model().trialCounts.waiting).toBe(4);
    now = t0 + 31_000;
    tracker.tick();
    const stuck = tracker.model().trials.find((t) => t.index === 0)!;
    expect(stuck.state).toBe('stuck');
    expect(stuck.reason).toBe('no result after 31 s; no trainer is taking trials from the work queue (4 waiting)');
    expect(stuck.events.map((e) => e.text)).toEqual(['proposed in batch 0', `stuck: ${stuck.reason}`]);
    expect(tracker.summary().stuck).toBe(4);

    tracker.setLiveStatus(1, { phase: 'Pending', podName: 'trial-1-abc', reason: 'Unschedulable: 0/3 nodes are available: 3 Insufficient nvidia.com/gpu.', events: ['FailedScheduling: 0/3 nodes are available'] });
    const version = tracker.version;
    expect(tracker.setLiveStatus(1, { phase: 'Pending', podName: 'trial-1-abc', reason: 'Unschedulable: 0/3 nodes are available: 3 Insufficient nvidia.com/gpu.', events: ['FailedScheduling: 0/3 nodes are available'] })).toBe(false);
    expect(tracker.version).toBe(version); // the same report again changes nothing
    now = t0 + 32_000;
    tracker.tick();
    const pending = tracker.model().trials.find((t) => t.index === 1)!;
    expect(pending.reason).toBe('no result after 32 s; Pending: Unschedulable: 0/3 nodes are available: 3 Insufficient nvidia.com/gpu.');
    expect(pending.pod).toBe('trial-1-abc');
    expect(pending.events.map((e) => e.text).slice(-2)).toEqual(['Pending: Unschedulable: 0/3 nodes are available: 3 Insufficient nvidia.com/gpu.', 'FailedScheduling: 0/3 nodes are available']);

    tracker.apply({ type: 'result', index: 0, key: 'k0', token: TOKEN, outcome: { valAcc: 80, testAcc: 90, trainSeconds: 100 }, trainer: 'pod-a', attempt: 2, at: iso(40) });
    tracker.apply({ type: 'result', index: 1, key: 'k1', token: 'f'.repeat(32), outcome: { valAcc: 99.99, testAcc: 99, trainSeconds: 1 }, trainer: 'forger', attempt: 1, at: iso(40) });
    tracker.apply({ type: 'result', index: 0, key: 'k0', token: TOKEN, outcome: { valAcc: 81, testAcc: 91, trainSeconds: 100 }, trainer: 'pod-b', attempt: 1, at: iso(41) });
    tracker.apply({ type: 'result', index: 2, key: 'k2', token: TOKEN, outcome: null, error: 'architecture not in the table', trainer: 'pod-a', attempt: 1, at: iso(42) });
    tracker.apply({ type: 'ended', status: 'failed', reason: 'trial 2 failed', at: iso(43) });
    const m = tracker.model();
    const byIndex = (i: number): TrialRow => m.trials.find((t) => t.index === i)!;
    expect(byIndex(0)).toMatchObject({ state: 'succeeded', valAcc: 80, testAcc: 90, pod: 'pod-a', attempt: 2, durationSeconds: 40, reason: null });
    expect(byIndex(0).events.at(-1)!.text).toBe('duplicate result from pod-b, attempt 1 ignored');
    expect(byIndex(1).events.map((e) => e.text)).toContain("result from forger, attempt 1 refused: trial 1: the result does not carry the trial's token");
    expect(byIndex(1).state).toBe('withdrawn');
    expect(byIndex(2)).toMatchObject({ state: 'failed', reason: 'architecture not in the table' });
    expect(byIndex(3).state).toBe('withdrawn');
    expect(m).toMatchObject({ status: 'failed', reason: 'trial 2 failed', done: 1, failed: 1 });
    expect(m.curve).toEqual([{ query: 1, valAcc: 80, bestValAcc: 80, bestTestAcc: 90 }]);
    expect(tracker.tick()).toBe(false);
  });

  it('tau per cycle over the observed trials of each fit', () => {
    const row = (cycle: number | null, predicted: number | null, valAcc: number | null) => ({ cycle, predicted, valAcc }) as TrialRow;
    const q = cycleQuality([row(null, null, 50), row(1, 3, 70), row(1, 2, 60), row(1, 1, 50), row(2, 3, 50), row(2, 2, 60), row(2, 1, 70), row(3, 1, 80), row(3, 2, null)]);
    expect(q.map((c) => [c.cycle, c.trials, c.observed, c.tau, c.bestValAcc])).toEqual([
      [1, 3, 3, 1, 70],
      [2, 3, 3, -1, 70],
      [3, 2, 1, null, 80],
    ]);
  });

  it('hit rate per cycle: the picks against the median and the best of the random initial trials', () => {
    const row = (cycle: number | null, valAcc: number | null) => ({ cycle, predicted: cycle === null ? null : 1, valAcc }) as TrialRow;
    const random = [row(null, 65), row(null, 50), row(null, 70), row(null, 55), row(null, 60)]; // median 60, best 70
    // a random fallback proposed after the first pick (99) is neither a pick nor part of the reference
    const rows = [...random, row(1, 75), row(1, 60), row(1, 58), row(null, 99), row(2, 80), row(2, 62), row(3, null)];
    const q = cycleQuality(rows);
    expect(q.map((c) => [c.cycle, c.trials, c.observed, c.hitRate, c.hitRateSoFar, c.beatBestRate])).toEqual([
      [1, 3, 3, 0.5, 0.5, 1 / 3], // 75 beats the median, 60 ties it (half), 58 does not; only 75 beats 70
      [2, 2, 2, 1, 0.7, 0.5],
      [3, 1, 0, null, 0.7, null],
    ]);
    expect(rankingQuality(rows)).toEqual({ reference: 5, referenceMedian: 60, referenceBest: 70, picks: 5, hitRate: 0.7, beatBestRate: 0.4, chanceBeatBest: 1 / 6 });
    // too few random trials to judge against, or no observed pick yet: nothing
    const few = [...random.slice(0, RANKING_MIN_REFERENCE - 1), ...rows.slice(5)];
    expect(cycleQuality(few).map((c) => [c.hitRate, c.hitRateSoFar, c.beatBestRate])).toEqual([[null, null, null], [null, null, null], [null, null, null]]);
    expect(rankingQuality(few)).toBeNull();
    expect(rankingQuality([...random, row(1, null)])).toBeNull();
    expect(rankingQuality(random)).toBeNull(); // a predictor-free strategy
  });
});

describe('drawings and page', () => {
  it('draws an NB201 cell with its operations on edges, none edges left out', () => {
    const svg = cellSvg('|nor_conv_3x3~0|+|skip_connect~0|none~1|+|avg_pool_3x3~0|nor_conv_1x1~1|none~2|');
    expect(svg.match(/<circle/g)).toHaveLength(4);
    expect(svg.match(/marker-end=/g)).toHaveLength(4);
    expect(svg).toContain('conv 3x3');
    expect(svg).toContain('avg pool 3x3');
    expect(svg).not.toContain('>none<');
  });

  it('draws an NB101 cell from its op-on-node graph', () => {
    const arch = nb101Space.sample(Rng.seeded(1));
    const g = nb101Space.toGraph(arch);
    const svg = cellSvg(nb101Space.format(arch), nb101Space as never);
    expect(svg.match(/<circle/g)).toHaveLength(g.nodeCount);
    expect(svg).not.toContain('no drawing');
    expect(cellSvg('not a cell')).toContain('no drawing for not a cell');
    expect(nb201Space.name).toBe('nb201');
  });

  it('curve and tau charts are valid SVG without NaN', () => {
    const curve = [1, 2, 3].map((q) => ({ query: q, valAcc: 70 + q, bestValAcc: 70 + q, bestTestAcc: q === 2 ? null : 90 }));
    const svg = curveSvg(curve, curve.map((p) => ({ query: p.query, valAcc: p.valAcc })), { budget: 10 });
    expect(svg).toMatch(/^<svg [^>]*data-points="3"/);
    expect(svg).not.toMatch(/NaN|Infinity/);
    expect(svg).toContain('class="test-line"');
    expect(curveSvg([], [])).toContain('no results yet');
    const cycles: CycleQuality[] = [
      { cycle: 1, trials: 5, observed: 5, hitRate: 0.8, hitRateSoFar: 0.8, beatBestRate: 0.4, tau: 0.6, bestValAcc: 80 },
      { cycle: 2, trials: 5, observed: 1, hitRate: null, hitRateSoFar: 0.8, beatBestRate: null, tau: null, bestValAcc: 80 },
    ];
    const tau = tauSvg(cycles);
    expect(tau.match(/<rect x=/g)).toHaveLength(1);
    expect(tau).toContain('tau within batch');
    expect(tau).not.toMatch(/NaN/);
    const hits = hitRateSvg(cycles);
    expect(hits).toMatch(/^<svg [^>]*data-cycles="2"/);
    expect(hits.match(/<rect x="[^"]*" y="[^"]*" width="[^"]*" height="[^"]*" fill="#7fb3d5"><title>/g)).toHaveLength(1);
    expect(hits).toContain('80 % of 5 picks beat the random median');
    expect(hits).toContain('class="so-far"');
    expect(hits).toContain('% picks &gt; random median');
    expect(hits).not.toMatch(/NaN|Infinity/);
    expect(hitRateSvg([])).toContain('no predictor cycles yet');
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
  });

  it('the page is self-contained: inline script and styles, nothing fetched from elsewhere', () => {
    const page = dashboardPage();
    expect(page).toContain('<script>');
    expect(page).not.toMatch(/<script[^>]+src=|<link[^>]+href=|https?:\/\//);
  });

  it('the page names its ranking measure: picks beating the median random initial trial, tau only as within-batch', () => {
    const page = dashboardPage();
    expect(page).toContain('v.svg.ranking');
    expect(page).toContain("share of each fit\\'s picks that beat the median random initial trial");
    expect(page).toContain('random initial trials (chance 50 %)');
    expect(page).toContain('tau in batch');
    expect(page).not.toContain('v.svg.tau');
  });

  it('the page reads its streams with fetch and a bearer header, never with the token in a URL', () => {
    const page = dashboardPage();
    // EventSource cannot send headers: the page streams through fetch() instead.
    expect(page).not.toContain('new EventSource(');
    expect(page).toMatch(/fetch\(base \+ path, \{ headers: headers\('text\/event-stream'\)/);
    expect(page).toContain("h.authorization = 'Bearer ' + t");
    expect(page).toContain('sessionStorage.setItem(TOKEN_KEY');
    expect(page).not.toMatch(/[?&](access_)?token=/);
    expect(DASHBOARD_OPEN_PATHS).toEqual(['/', '/dashboard']);
  });

  it('pushes views at most once per interval, the last change always included', async () => {
    const hub = new DashboardHub({ stuckAfterSeconds: 60 });
    hub.apply('e', { type: 'created', experimentId: 'e', spec: spec(), at: new Date().toISOString() });
    const seen: number[] = [];
    const stop = watchExperiment(hub, 'e', (v) => seen.push(v.trials.length), 100);
    for (let i = 0; i < 30; i++) hub.apply('e', { type: 'proposed', batch: i, trials: [{ index: i, arch: 'x', key: `k${i}`, token: TOKEN }] });
    hub.apply('other', { type: 'created', experimentId: 'other', spec: spec(), at: new Date().toISOString() });
    await new Promise((r) => setTimeout(r, 250));
    stop();
    expect(seen).toEqual([0, 30]);
  });
});
