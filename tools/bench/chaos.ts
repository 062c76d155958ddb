/**
 * Chaos benchmark (issue 9, item 4), the full form of apps/orchestrator/test/cluster-chaos.test.ts:
 * N experiments through the services (own nats-server and service processes) while nats-server,
 * the orchestrator, trainers, the predictor and the encoder are killed (-9) and restarted at
 * seeded random moments, up to --faults faults within --minutes. Each experiment is then compared
 * with its embedded search and its event log audited (nothing lost, nothing applied twice).
 * Prints a markdown section; exits 1 if any experiment differs or any trial was lost or doubled.
 *
 *   npm run -s tool -- tools/bench/chaos.ts [--experiments 8] [--queries 150] [--faults 30] [--minutes 5] [--trainers 3] [--seed 1]
 */
import { cpus, loadavg } from 'node:os';
import { Rng } from '@dcl-enas/common';
import { CHAOS_TARGETS, describeChaos, runChaos, type ChaosSpec } from '../../apps/orchestrator/test/chaos';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const EXPERIMENTS = Number(arg('experiments', '8'));
const QUERIES = Number(arg('queries', '150'));
const FAULTS = Number(arg('faults', '30'));
const MINUTES = Number(arg('minutes', '5'));
const TRAINERS = Number(arg('trainers', '3'));
const SEED = Number(arg('seed', '1'));

async function main(): Promise<void> {
  const rng = Rng.seeded(SEED);
  const strategies = ['rea', 'random', 'dcl-enas'];
  const datasets = ['cifar10', 'cifar100', 'imagenet16-120'];
  const experiments: ChaosSpec[] = Array.from({ length: EXPERIMENTS }, (_, i) => ({
    space: 'nb201',
    dataset: datasets[i % datasets.length],
    strategy: strategies[i % strategies.length],
    seed: 100 + i,
    queries: QUERIES,
    batchSize: rng.int(1, 4),
  }));
  const load0 = loadavg()[0];
  const report = await runChaos({
    seed: SEED,
    experiments,
    maxFaults: FAULTS,
    windowMs: MINUTES * 60_000,
    gapMs: [1000, 6000],
    downMs: [0, 2000],
    trainers: TRAINERS,
    trainerTimeScale: 0.002,
    settleMs: 10 * 60_000,
    log: (l) => process.stderr.write(l + '\n'),
  });
  const load1 = loadavg()[0];
  const ok = report.experiments.every(
    (e) => e.sameAsEmbedded && e.audit.lost.length === 0 && e.audit.trainedTwice.length === 0 && e.audit.proposedTwice.length === 0 && e.audit.refused.length === 0 && e.ended === 1,
  );
  const byTarget = CHAOS_TARGETS.map((t) => `${t} ${report.faults.filter((f) => f.target === t).length}`).join(', ');
  const redelivered = report.experiments.reduce((s, e) => s + e.audit.redelivered.length, 0);
  const lines = [
    `Run ${new Date().toISOString().slice(0, 10)} on ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), load average ${load0.toFixed(1)} at the start, ${load1.toFixed(1)} at the end; Node ${process.version}.`,
    '',
    '```sh',
    `npm run -s tool -- tools/bench/chaos.ts --experiments ${EXPERIMENTS} --queries ${QUERIES} --faults ${FAULTS} --minutes ${MINUTES} --trainers ${TRAINERS} --seed ${SEED}`,
    '```',
    '',
    `${report.faults.length} fault(s) (kill -9, then restart after 0-2 s): ${byTarget}. ${report.experiments.length} experiments, ${report.trials} trials, ${report.seconds.toFixed(0)} s from submission to the last end; ${redelivered} trials redelivered after a fault.`,
    '',
    '| # | at (s) | trials done | killed | down (ms) |',
    '| ---: | ---: | ---: | --- | ---: |',
    ...report.faults.map((f, i) => `| ${i + 1} | ${(f.atMs / 1000).toFixed(1)} | ${f.queriesDone} | ${f.target} | ${f.downMs} |`),
    '',
    '| experiment | status | same as embedded | proposed | lost | trained twice | proposed twice | redelivered |',
    '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |',
    ...report.experiments.map(
      (e) =>
        `| ${e.spec.strategy} ${e.spec.dataset} seed ${e.spec.seed} x${e.spec.queries} batch ${e.spec.batchSize} | ${e.status} | ${e.sameAsEmbedded ? 'yes' : '**no**'} | ${e.audit.proposed} | ${e.audit.lost.length} | ${e.audit.trainedTwice.length} | ${e.audit.proposedTwice.length} | ${e.audit.redelivered.length} |`,
    ),
    '',
  ];
  process.stdout.write(lines.join('\n'));
  for (const l of describeChaos(report)) process.stderr.write(l + '\n');
  process.exitCode = ok ? 0 : 1;
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exitCode = 1;
});
