import { describe, expect, it } from 'vitest';
import { CHAOS_TARGETS, describeChaos, runChaos } from './chaos';

/**
 * Issue 9, item 4, short form (the full form: tools/bench/chaos.ts). Three experiments run at
 * once while nats-server and each service are killed (-9) at seeded random moments and
 * restarted; each experiment must end as its undisturbed (embedded) search, and its event log
 * must show every proposed trial trained exactly once.
 */
describe('chaos: kill -9 and restart of nats-server and every service while experiments run', () => {
  it('every experiment ends as its embedded search, no trial lost or applied twice', async () => {
    const report = await runChaos({
      seed: 11,
      experiments: [
        { space: 'nb201', dataset: 'cifar10', strategy: 'rea', seed: 3, queries: 60, batchSize: 2 },
        { space: 'nb201', dataset: 'cifar100', strategy: 'random', seed: 4, queries: 50, batchSize: 1 },
        { space: 'nb201', dataset: 'cifar10', strategy: 'dcl-enas', seed: 5, queries: 40, batchSize: 4 },
      ],
      maxFaults: CHAOS_TARGETS.length,
      windowMs: 60_000,
      gapMs: [300, 1500],
      downMs: [0, 800],
      trainers: 2,
      trainerTimeScale: 0.002,
      settleMs: 90_000,
      log: (l) => console.log(l),
    });
    for (const line of describeChaos(report)) console.log(line);
    // The faults struck while the experiments were running.
    expect(report.faults.map((f) => f.target).sort()).toEqual([...CHAOS_TARGETS].sort());
    expect(report.faults.every((f) => f.queriesDone < report.trials)).toBe(true);
    for (const e of report.experiments) {
      expect(e.status).toBe('completed');
      expect(e.trajectoryFromLog).toEqual(e.expectedTrajectory);
      expect(e.bestKey).toBe(e.expectedBestKey);
      expect(e.sameAsEmbedded).toBe(true);
      expect(e.audit.proposed).toBe(e.spec.queries);
      expect(e.audit.lost).toEqual([]);
      expect(e.audit.trainedTwice).toEqual([]);
      expect(e.audit.proposedTwice).toEqual([]);
      expect(e.audit.refused).toEqual([]);
      expect(e.ended).toBe(1);
    }
  }, 240_000);
});
