/**
 * Full-size check of issue 5's acceptance claim WITH faults: a 100-query NB201 CIFAR-10
 * dcl-enas experiment (batch size 1, the default GNN predictor: search schedule, full encoder,
 * stage 1 from the shared cache) submitted to the services, while the orchestrator is killed
 * (-9) and restarted, a trainer is killed (-9) mid-trial and replaced, and nats-server is killed
 * (-9) and restarted on the same port and store directory, at three points of the search. The
 * result is compared with `enas search` (the embedded mode, its own process, run after the
 * cluster is done) with the same seed, and the event log is audited: every proposed
 * architecture key has exactly one result, none lost, none orphaned.
 *
 * Own nats-server (temporary port and store) and service processes (`enas serve`, the harness of
 * the orchestrator's tests: orchestrator, encoder, two predictor replicas, one trainer), no auth.
 * Writes (or replaces) the section of this seed in OUT; exits 1 if anything differs.
 *
 *   npm run -s tool -- tools/bench/cluster-equivalence-faults.ts [--seed 0] [--out docs/results/cluster-equivalence.md]
 *     [--at 25,50,75] [--time-scale 0.005] [--ack-wait-ms 5000] [--timeout-ms 120000]
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { isDeepStrictEqual } from 'node:util';
import { CONSUMERS, STREAMS, type ExperimentDetail, type ExperimentEvent } from '@dcl-enas/contracts';
import { auditLog, foldLog } from '@dcl-enas/search';
import { Cluster, ROOT, type ServiceProcess } from '../../apps/orchestrator/test/cluster-harness';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const SEED = Number(arg('seed', '0'));
const OUT = arg('out', 'docs/results/cluster-equivalence.md');
const AT = arg('at', '25,50,75').split(',').map(Number);
const TIME_SCALE = arg('time-scale', '0.005');
const ACK_WAIT_MS = arg('ack-wait-ms', '5000');
const TIMEOUT_MS = arg('timeout-ms', '120000');
const QUERIES = 100;

const log = (line: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Fault {
  readonly what: string;
  /** Seconds from submission to the kill. */
  readonly atS: number;
  /** Trials done (API) when it was killed. */
  readonly queriesDone: number;
  /** Seconds until the replacement was ready. */
  readonly downS: number;
  readonly note: string;
}

interface EmbeddedResult {
  best: { key: string; arch: string; valAcc: number; testAcc: number | null };
  trajectory: unknown[];
}

/** `enas search` in its own process (the embedded mode exactly as a user runs it). */
function embeddedSearch(seed: number): Promise<EmbeddedResult> {
  const args = ['-r', './tools/register.cjs', 'apps/cli/src/main.ts', 'search', '--space', 'nb201', '--dataset', 'cifar10', '--strategy', 'dcl-enas', '--queries', String(QUERIES), '--seed', String(seed), '--json'];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as EmbeddedResult) : reject(new Error(`enas search exited with ${code}:\n${err.slice(-2000)}`))));
  });
}

async function poll<T>(what: string, get: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number, intervalMs = 20): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await get();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(intervalMs);
  }
}

async function main(): Promise<void> {
  // The default GNN and no API token: the services of this run are started here, without auth.
  delete process.env['ENAS_GNN_CONFIG'];
  delete process.env['ENAS_API_TOKEN'];
  delete process.env['ENAS_API_TOKEN_FILE'];
  const env = {
    ENAS_PREDICTOR_ENGINE: 'gnn',
    ENAS_TRIAL_ACK_WAIT_MS: ACK_WAIT_MS,
    ENAS_TRAINER_TIME_SCALE: TIME_SCALE,
    ENAS_REQUEST_TIMEOUT_MS: TIMEOUT_MS,
    ENAS_LOG_LEVEL: 'info',
  };
  const spec = { space: 'nb201', dataset: 'cifar10', strategy: 'dcl-enas', seed: SEED, queries: QUERIES, batchSize: 1 };
  const load0 = loadavg()[0];
  const cluster = await Cluster.start();
  const faults: Fault[] = [];
  try {
    log(`nats-server on ${cluster.nats.url} (store ${cluster.nats.storeDir}); starting the services`);
    const started = await Promise.all([
      cluster.serve('orchestrator', env),
      cluster.serve('trainer', env),
      cluster.serve('predictor', env),
      cluster.serve('predictor', env),
      cluster.serve('encoder', env),
    ]);
    let [orchestrator, trainer] = started;
    const [, , predictor1, predictor2] = started;
    const t0 = Date.now();
    const since = () => (Date.now() - t0) / 1000;
    const id = await cluster.submit(spec);
    log(`submitted ${id}`);
    const LONG = 30 * 60_000;
    const reached = async (n: number) => {
      const x = await cluster.waitFor(id, (d) => d.queriesDone >= n || (d.status !== 'running' && d.status !== 'queued'), LONG);
      if (x.queriesDone < n) throw new Error(`experiment ${x.status} after ${x.queriesDone} trials, before the fault planned at ${n}`);
      return x.queriesDone;
    };

    // 1. The orchestrator, kill -9, then a new one (it replays the event log and carries on).
    let done = await reached(AT[0]);
    let at = since();
    await orchestrator.kill('SIGKILL');
    log(`killed the orchestrator at ${at.toFixed(1)} s, ${done} trials done`);
    orchestrator = await cluster.serve('orchestrator', env);
    const resumed = /"resumed":(\d+)[^\n]*"msg":"orchestrator ready"/.exec(orchestrator.output)?.[1] ?? '?';
    faults.push({ what: 'orchestrator (kill -9, then a new one)', atS: at, queriesDone: done, downS: since() - at, note: `the new one resumed ${resumed} running experiment(s) from the event log` });

    // 2. The only trainer, kill -9 while it holds a trial (delivered, not acknowledged); the trial
    // goes to the replacement after the ack wait. If the trial was acknowledged just before the
    // kill landed, try again with the replacement.
    done = await reached(AT[1]);
    const jsm = await (await cluster.connection()).jetstreamManager();
    const held = async () => (await jsm.consumers.info(STREAMS.trials, CONSUMERS.trainers)).num_ack_pending;
    for (let attempt = 1; ; attempt++) {
      await poll('a trial held by the trainer', held, (n) => n > 0, 10 * 60_000, 5);
      const d = (await cluster.detail(id))?.queriesDone ?? done;
      at = since();
      await trainer.kill('SIGKILL');
      const midTrial = (await held()) > 0;
      log(`killed the trainer at ${at.toFixed(1)} s, ${d} trials done, ${midTrial ? 'mid-trial' : 'after its trial was acknowledged'}`);
      trainer = await cluster.serve('trainer', env);
      faults.push({ what: 'trainer (kill -9 mid-trial, then a new one)', atS: at, queriesDone: d, downS: since() - at, note: midTrial ? 'held an unacknowledged trial' : 'trial already acknowledged; killed again' });
      if (midTrial) break;
      if (attempt >= 5) throw new Error('could not kill the trainer mid-trial in 5 attempts');
    }

    // 3. nats-server, kill -9, then again on the same port and store directory.
    done = await reached(AT[2]);
    at = since();
    await cluster.nats.stop('SIGKILL');
    await poll('readyz 503', async () => (await fetch(`${cluster.api}/readyz`).catch(() => null))?.status ?? 0, (s) => s === 503, 10_000, 50).catch(() => undefined);
    await sleep(1000);
    await cluster.nats.startAgain();
    faults.push({ what: 'nats-server (kill -9, restarted on the same port and store)', atS: at, queriesDone: done, downS: since() - at, note: 'JetStream recovered from its store' });
    log(`killed nats-server at ${at.toFixed(1)} s, ${done} trials done; restarted`);

    const final: ExperimentDetail = await cluster.waitFor(id, (x) => x.status !== 'running' && x.status !== 'queued', LONG);
    const clusterSeconds = since();
    log(`experiment ${final.status} after ${clusterSeconds.toFixed(0)} s`);
    const events: ExperimentEvent[] = await cluster.events(id);
    const audit = auditLog(events);
    const results = events.filter((e) => e.type === 'result');
    const proposedTrials = events.reduce((n, e) => n + (e.type === 'proposed' ? e.trials.length : 0), 0);
    const trainSeconds = results.map((e) => (e.type === 'result' ? (e.outcome?.trainSeconds ?? 0) : 0));
    const meanTrialS = (trainSeconds.reduce((a, b) => a + b, 0) / Math.max(1, trainSeconds.length)) * Number(TIME_SCALE);
    const ended = events.filter((e) => e.type === 'ended').length;
    const work = (p: ServiceProcess) => p.count('predictor fitted') + p.count('ranked');
    const replicaWork = [work(predictor1), work(predictor2)];
    const restartLines = orchestrator.count('experiment run interrupted; replaying its log to continue');
    for (const s of cluster.services) s.output = s.output.slice(-20000);

    // The embedded run after the cluster, so that the two do not share the cores.
    await Promise.all(cluster.services.map((s) => s.kill('SIGKILL')));
    const t1 = Date.now();
    log('running enas search (embedded)');
    const expected = await embeddedSearch(SEED);
    const embeddedSeconds = (Date.now() - t1) / 1000;
    const load1 = loadavg()[0];

    const sameBest = final.best?.key === expected.best.key && final.best?.valAcc === expected.best.valAcc;
    const sameTrajectory = isDeepStrictEqual(final.trajectory, expected.trajectory);
    const foldedSame = isDeepStrictEqual(foldLog(events).trajectory, expected.trajectory);
    const firstDiff = final.trajectory.findIndex((p, i) => !isDeepStrictEqual(p, expected.trajectory[i]));
    const ok =
      final.status === 'completed' &&
      sameBest &&
      sameTrajectory &&
      foldedSame &&
      audit.proposed === QUERIES &&
      results.length === QUERIES &&
      audit.proposedTwice.length === 0 &&
      audit.trainedTwice.length === 0 &&
      audit.lost.length === 0 &&
      audit.refused.length === 0 &&
      ended === 1;

    const esc = (a: string) => a.replace(/\|/g, '\\|');
    const cmd = `npm run -s tool -- tools/bench/cluster-equivalence-faults.ts --seed ${SEED} --out ${OUT}`;
    const lines = [
      `<!-- faults seed ${SEED} -->`,
      `## With faults: orchestrator, trainer and nats-server killed (seed ${SEED})`,
      '',
      `Measured ${new Date().toISOString().slice(0, 10)} on this development machine: ${cpus().length} cores shared with other jobs (load average ${load0.toFixed(1)} at the start, ${load1.toFixed(1)} at the end), Node ${process.version}, TensorFlow.js wasm backend.`,
      '',
      '```sh',
      cmd,
      '```',
      '',
      `The same 100-query experiment (seed ${SEED}, batch size 1, default GNN predictor, stage 1 from the shared cache) through the services: orchestrator, encoder, two predictor replicas and one trainer (\`enas serve\`, started by the tool with its own nats-server, no auth). The trainer simulates training time (ENAS_TRAINER_TIME_SCALE=${TIME_SCALE}, on average ${meanTrialS.toFixed(2)} s per trial) so that it can be killed while it holds a trial; ENAS_TRIAL_ACK_WAIT_MS=${ACK_WAIT_MS}, ENAS_REQUEST_TIMEOUT_MS=${TIMEOUT_MS}. Faults, each kill -9 (times from submission):`,
      '',
      '| # | Killed | At (s) | Trials done | Back after (s) | |',
      '| ---: | --- | ---: | ---: | ---: | --- |',
      ...faults.map((f, i) => `| ${i + 1} | ${f.what} | ${f.atS.toFixed(1)} | ${f.queriesDone} | ${f.downS.toFixed(1)} | ${f.note} |`),
      '',
      '| | Selected cell | Validation | Test | Wall time |',
      '| --- | --- | ---: | ---: | ---: |',
      `| services, with faults | \`${esc(final.best?.arch ?? '-')}\` | ${final.best?.valAcc ?? '-'} | ${final.best?.testAcc ?? '-'} | ${clusterSeconds.toFixed(0)} s |`,
      `| embedded (\`enas search\`) | \`${esc(expected.best.arch)}\` | ${expected.best.valAcc} | ${expected.best.testAcc} | ${embeddedSeconds.toFixed(0)} s |`,
      '',
      `Wall times are on a shared, heavily loaded 2-core machine (other benchmarks and developers' jobs ran at the same time) and include the simulated training time, the ack wait of the killed trial and the restarts; they are not a speed measurement.`,
      '',
      `Status: ${final.status}. Same selected architecture: ${sameBest ? 'yes' : '**no**'}. Same trajectory (best validation and test accuracy after each of the 100 queries): ${sameTrajectory ? 'yes' : `**no**, first difference at query ${firstDiff + 1}`}; the trajectory folded from the event log alone: ${foldedSame ? 'the same' : '**different**'}.`,
      '',
      `Event log: ${events.length} events; ${proposedTrials} trials proposed (${audit.proposed} distinct architecture keys, ${audit.proposedTwice.length} proposed twice); ${results.length} result events (${new Set(results.map((e) => e.key)).size} distinct keys): ${audit.trainedTwice.length} keys trained/applied more than once, ${audit.lost.length} lost (proposed, no result), ${audit.refused.length} refused results; ${audit.redelivered.length} trial(s) delivered again after the trainer was killed (${audit.redelivered.map((k) => `\`${k}\``).join(', ') || '-'}), each with one result; ${ended} \`ended\` event. While nats-server was down the (second) orchestrator logged ${restartLines} interrupted run(s), each continued by replaying the event log; both predictor replicas did work (fits + rankings: ${replicaWork.join(' and ')}).`,
      '',
      `Verdict: ${ok ? 'pass' : '**FAIL**'}.`,
      `<!-- /faults seed ${SEED} -->`,
    ];
    const section = lines.join('\n');
    process.stdout.write(section + '\n');
    writeSection(OUT, SEED, section);
    log(`wrote ${OUT}`);
    process.exitCode = ok ? 0 : 1;
  } catch (e) {
    log(`failed: ${(e as Error).message}\n${cluster.logs()}\nfaults so far: ${JSON.stringify(faults)}`);
    process.exitCode = 1;
  } finally {
    await cluster.dispose();
  }
}

/** Replaces this seed's section of the report (between its markers), or appends it. */
function writeSection(path: string, seed: number, section: string): void {
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const begin = `<!-- faults seed ${seed} -->`;
  const end = `<!-- /faults seed ${seed} -->`;
  const i = text.indexOf(begin);
  const j = text.indexOf(end);
  const next = i >= 0 && j > i ? text.slice(0, i) + section + text.slice(j + end.length) : text.replace(/\n*$/, '\n\n') + section + '\n';
  writeFileSync(path, next);
}

void main();
