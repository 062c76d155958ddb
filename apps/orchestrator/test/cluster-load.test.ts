import { describe, expect, it } from 'vitest';
import { loadMix, runLoad } from './load';

/**
 * Issue 9, item 5, short form (the full form with its figures: tools/bench/load.ts): 20
 * experiments submitted at once, tabular trainers, predictor-guided ones among them, a probe
 * ranking 1,000 candidates throughout. Nothing may be lost: every experiment completes as its
 * embedded search, and the event logs hold every proposed trial once. The figures are printed,
 * not asserted (the machine is shared).
 */
describe('load: 20 experiments at once', () => {
  it('completes all of them as their embedded searches, nothing lost or doubled, and reports throughput, ranking latency and memory', async () => {
    const specs = loadMix(20, 15, 30, 2);
    const report = await runLoad({ experiments: specs, trainers: 2, trainerConcurrency: 2, trainerTimeScale: 0, probeGapMs: 100, timeoutMs: 240_000, log: (l) => console.log(l) });
    console.log(
      `load: ${report.trials} trials in ${report.seconds.toFixed(1)} s (${report.trialsPerSecond.toFixed(1)}/s); rank 1,000: ${report.rank.requests} requests, p50 ${report.rank.p50.toFixed(1)} ms, p99 ${report.rank.p99.toFixed(1)} ms; ` +
        report.memory.map((m) => `${m.process} ${m.peakMiB.toFixed(0)} MiB`).join(', '),
    );
    expect(report.experiments).toHaveLength(20);
    expect(report.experiments.filter((e) => e.spec.strategy === 'dcl-enas')).toHaveLength(6);
    for (const e of report.experiments) {
      expect(e.status).toBe('completed');
      expect(e.sameAsEmbedded).toBe(true);
      expect(e.trials).toBe(e.spec.queries);
      expect(e.audit.proposed).toBe(e.spec.queries);
      expect(e.audit).toMatchObject({ lost: [], trainedTwice: [], proposedTwice: [], refused: [] });
      expect(e.ended).toBe(1);
    }
    expect(report.trials).toBe(specs.reduce((s, x) => s + x.queries, 0));
    expect(report.rank.requests).toBeGreaterThan(0);
    expect(report.memory.map((m) => m.process).sort()).toEqual(['encoder', 'nats-server', 'orchestrator', 'predictor', 'trainer 1', 'trainer 2']);
    for (const m of report.memory) expect(m.peakMiB).toBeGreaterThan(1);
  }, 300_000);
});
