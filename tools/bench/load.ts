/**
 * Load benchmark (issue 9, item 5), the full form of apps/orchestrator/test/cluster-load.test.ts:
 * --experiments experiments submitted at once (rea, random and dcl-enas in turn over the three
 * NB201 datasets) to the services, with tabular trainers. Reports trials per second (counted
 * from the event logs), the latency of ranking 1,000 candidates through the predictor while the
 * load runs, and the peak resident memory of each process; checks that nothing was lost.
 * Prints a markdown section; exits 1 if any experiment differs from its embedded search or any
 * trial was lost or doubled.
 *
 *   npm run -s tool -- tools/bench/load.ts [--experiments 20] [--queries 150] [--batch 4] [--trainers 4]
 *       [--concurrency 2] [--time-scale 0] [--engine ridge|gnn-small]
 */
import { cpus, loadavg } from 'node:os';
import { SMALL_GNN } from '../../apps/orchestrator/test/cluster-harness';
import { loadMix, runLoad } from '../../apps/orchestrator/test/load';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const EXPERIMENTS = Number(arg('experiments', '20'));
const QUERIES = Number(arg('queries', '150'));
const BATCH = Number(arg('batch', '4'));
const TRAINERS = Number(arg('trainers', '4'));
const CONCURRENCY = Number(arg('concurrency', '2'));
const TIME_SCALE = Number(arg('time-scale', '0'));
const ENGINE = arg('engine', 'ridge');

async function main(): Promise<void> {
  if (ENGINE !== 'ridge' && ENGINE !== 'gnn-small') throw new Error(`--engine ridge or gnn-small, not ${ENGINE}`);
  const specs = loadMix(EXPERIMENTS, QUERIES, QUERIES, BATCH);
  const load0 = loadavg()[0];
  const r = await runLoad({
    experiments: specs,
    trainers: TRAINERS,
    trainerConcurrency: CONCURRENCY,
    trainerTimeScale: TIME_SCALE,
    probeGapMs: 100,
    timeoutMs: 60 * 60_000,
    gnn: ENGINE === 'gnn-small' ? SMALL_GNN : undefined,
    log: (l) => process.stderr.write(l + '\n'),
  });
  const load1 = loadavg()[0];
  const bad = r.experiments.filter(
    (e) => e.status !== 'completed' || !e.sameAsEmbedded || e.trials !== e.spec.queries || e.audit.lost.length + e.audit.trainedTwice.length + e.audit.proposedTwice.length + e.audit.refused.length > 0 || e.ended !== 1,
  );
  const strategies = [...new Set(specs.map((s) => s.strategy))].map((s) => `${specs.filter((x) => x.strategy === s).length} ${s}`).join(', ');
  const lines = [
    `Run ${new Date().toISOString().slice(0, 10)} on ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), load average ${load0.toFixed(1)} at the start, ${load1.toFixed(1)} at the end; Node ${process.version}.`,
    '',
    '```sh',
    `npm run -s tool -- tools/bench/load.ts --experiments ${EXPERIMENTS} --queries ${QUERIES} --batch ${BATCH} --trainers ${TRAINERS} --concurrency ${CONCURRENCY} --time-scale ${TIME_SCALE} --engine ${ENGINE}`,
    '```',
    '',
    `${EXPERIMENTS} experiments at once (${strategies}; NB201, ${QUERIES} queries each, batch ${BATCH}), ${TRAINERS} trainer processes x ${CONCURRENCY} trials in flight, ` +
      `${TIME_SCALE === 0 ? 'table lookup only (no simulated training time)' : `simulated training time x${TIME_SCALE}`}, ranker: ${ENGINE === 'ridge' ? 'ridge engine' : 'small graph network (SMALL_GNN of the tests)'}.`,
    '',
    '| Figure | Value |',
    '| --- | ---: |',
    `| Trials (from the event logs) | ${r.trials} |`,
    `| Time, first submission to last experiment ended | ${r.seconds.toFixed(1)} s |`,
    `| Trials per second | ${r.trialsPerSecond.toFixed(1)} |`,
    `| Ranking 1,000 candidates during the load: requests | ${r.rank.requests} |`,
    `| ... p50 / p99 / max | ${r.rank.p50.toFixed(1)} / ${r.rank.p99.toFixed(1)} / ${r.rank.max.toFixed(1)} ms |`,
    `| Experiments completed and equal to their embedded search | ${r.experiments.length - bad.length} of ${r.experiments.length} |`,
    `| Trials lost / trained twice / proposed twice | ${sum(r, 'lost')} / ${sum(r, 'trainedTwice')} / ${sum(r, 'proposedTwice')} |`,
    '',
    '| Process | Peak RSS (MiB) | RSS at the end (MiB) |',
    '| --- | ---: | ---: |',
    ...r.memory.map((m) => `| ${m.process} | ${m.peakMiB.toFixed(0)} | ${m.endMiB.toFixed(0)} |`),
    '',
  ];
  process.stdout.write(lines.join('\n'));
  process.exitCode = bad.length === 0 ? 0 : 1;
}

const sum = (r: Awaited<ReturnType<typeof runLoad>>, field: 'lost' | 'trainedTwice' | 'proposedTwice') => r.experiments.reduce((s, e) => s + e.audit[field].length, 0);

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exitCode = 1;
});
