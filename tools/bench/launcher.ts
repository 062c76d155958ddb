// Benchmark of the trial launcher against the stand-in Kubernetes API server (real HTTP on
// loopback, the server in a child process): Job creations per second and watch-event handling
// for 1,000 trials. Figures go to docs/results/launcher.md.
//   npm run -s tool -- tools/bench/launcher.ts [--trials 1000] [--limits 1000,50] [--repeats 3]
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { KubeClusterApi, TrialLauncher, connectToServer } from '@dcl-enas/k8s-launcher';
import type { StandinStats } from '@dcl-enas/k8s-testing';

function flag(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1]! : fallback;
}
const trials = Number(flag('trials', '1000'));
const limits = flag('limits', `${trials},50`).split(',').map(Number);
const repeats = Number(flag('repeats', '3'));
const runMs = Number(flag('run-ms', '20'));

function startStandin(): Promise<{ child: ChildProcess; url: string }> {
  const child = fork(join(__dirname, 'k8s-standin-process.ts'), [String(runMs)], { execArgv: ['-r', join(__dirname, '..', 'register.cjs')] });
  return new Promise((resolve) => child.once('message', (message: { url: string }) => resolve({ child, url: message.url })));
}

function statsOf(child: ChildProcess): Promise<StandinStats> {
  return new Promise((resolve) => {
    child.once('message', (message: { stats: StandinStats }) => resolve(message.stats));
    child.send('stats');
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))]!;
const median = (values: number[]) => percentile(values, 50);

interface Run {
  limit: number;
  createSeconds: number;
  createsPerSecond: number;
  totalSeconds: number;
  watchEvents: number;
  eventsPerSecond: number;
  launcherCpuMsPer1000Events: number;
  statusLagP50Ms: number;
  statusLagP95Ms: number;
  maxLiveJobs: number;
}

async function runOnce(limit: number): Promise<Run> {
  const { child, url } = await startStandin();
  const { kubeConfig, namespace } = connectToServer(url, 'bench');
  const launcher = new TrialLauncher({ api: new KubeClusterApi(kubeConfig, namespace), maxConcurrentJobs: limit, pendingCheckIntervalMs: 1000 });
  const succeededAt = new Map<string, number>();
  let succeeded = 0;
  const jobsSeen = new Set<string>();
  launcher.onStatus((status) => {
    if (status.jobName) jobsSeen.add(status.jobName);
    if (status.phase === 'Succeeded') {
      succeeded++;
      succeededAt.set(status.jobName!, Date.now());
    }
  });
  await launcher.start();
  await launcher.registerExperiment('bench', { image: 'trainer:bench', maxConcurrentTrials: limit, ttlSecondsAfterFinished: 3600 });
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < trials; i++) launcher.submit({ experimentId: 'bench', trialId: `t${i}` });
  let created = 0;
  while (succeeded < trials) {
    if (!created && jobsSeen.size >= trials) created = performance.now();
    await sleep(1);
  }
  const done = performance.now();
  if (!created) created = done;
  const cpu = process.cpuUsage(cpuBefore);
  const stats = await statsOf(child);
  await launcher.stop();
  child.send('close');
  // Status lag: from the stand-in marking a Job complete to the launcher reporting it.
  const jobLags = [...succeededAt].map(([job, at]) => at - stats.jobFinishedAt[job]!);
  const watchEvents = stats.watchEventsSent;
  return {
    limit,
    createSeconds: (created - started) / 1000,
    createsPerSecond: trials / ((created - started) / 1000),
    totalSeconds: (done - started) / 1000,
    watchEvents,
    eventsPerSecond: watchEvents / ((done - started) / 1000),
    launcherCpuMsPer1000Events: ((cpu.user + cpu.system) / 1000 / watchEvents) * 1000,
    statusLagP50Ms: jobLags.length ? percentile(jobLags, 50) : NaN,
    statusLagP95Ms: jobLags.length ? percentile(jobLags, 95) : NaN,
    maxLiveJobs: stats.maxLiveTrialJobs,
  };
}

void (async () => {
  const rows: Run[] = [];
  for (const limit of limits) {
    const runs: Run[] = [];
    for (let r = 0; r < repeats; r++) runs.push(await runOnce(limit));
    const pick = (key: keyof Run) => median(runs.map((run) => run[key] as number));
    rows.push({
      limit,
      createSeconds: pick('createSeconds'),
      createsPerSecond: pick('createsPerSecond'),
      totalSeconds: pick('totalSeconds'),
      watchEvents: pick('watchEvents'),
      eventsPerSecond: pick('eventsPerSecond'),
      launcherCpuMsPer1000Events: pick('launcherCpuMsPer1000Events'),
      statusLagP50Ms: pick('statusLagP50Ms'),
      statusLagP95Ms: pick('statusLagP95Ms'),
      maxLiveJobs: Math.max(...runs.map((run) => run.maxLiveJobs)),
    });
  }
  console.log(JSON.stringify({ trials, repeats, runMs, node: process.version, rows }, null, 1));
})();
