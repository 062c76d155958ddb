/**
 * The platform's own cost per trial in `enas search --spec` (a declared cell space, the user's
 * trial command, trial protocol v1: docs/trials.md), measured with trial commands that do nothing
 * but report: each search runs as a child process exactly as a user runs it
 * (`npm run -s enas -- search --spec SPEC --out DIR --json`), and the figures come from what the
 * run leaves behind (DIR/events.jsonl and the trial directories), not from inside the platform.
 *
 * Every trial command records its own clock (CLOCK_REALTIME, microseconds) as metrics of its
 * result: `t0` at its first line, `t1` just before it prints the result line. Per trial:
 *   spawn    = the runner's spawn point (result `at` minus the outcome's `trainSeconds`, which the
 *              runner starts right after writing arch.json, just before spawn) to t0: process
 *              creation and the interpreter's own start-up up to the user's first line.
 *   end      = t1 to the result's `at`: the interpreter's exit, the pipes closing, the process
 *              group check, reading the result (`at` is stamped before the journal append).
 *   start    = t0 to `at`: what the platform adds after the command starts (a no-op: t1 = t0).
 *   gap      = the previous result's `at` to this trial's spawn point (parallel 1): the result's
 *              journal append (fsync), the strategy's tell and ask, the `proposed` append (fsync),
 *              the trial directory and arch.json (fsync).
 *   spacing  = consecutive results' `at` (parallel 1): the whole proposal-to-result cycle.
 * (`at` has millisecond resolution and `trainSeconds` is rounded to the millisecond: the spawn
 * point is good to about 1 ms, `at` to 0.5 ms; t0 and t1 to the microsecond.)
 * With a sleeping trial at parallel P: how many commands run at once (from their [t0, t1]), how
 * many of the P slots are occupied (from spawn point to result), and the throughput against
 * P / sleep. For comparison, the same no-op commands run directly (no platform), and the two
 * things the runner does synchronously per trial (arch.json with fsync, spawn) timed alone.
 *
 *   npm run -s tool -- tools/bench/trial-latency.ts [--queries 200] [--sleep 0.5] [--out DIR]
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, fsyncSync, mkdirSync, mkdtempSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { concurrency, flag, ms, p50p99, quantile } from './latency-stats';

const root = resolve(__dirname, '..', '..');

const queries = Number(flag('queries', '200'));
const sleepSeconds = Number(flag('sleep', '0.5'));
const out = resolve(flag('out', mkdtempSync(join(tmpdir(), 'enas-trial-latency-'))));
if (!Number.isInteger(queries) || queries < 2) throw new Error('--queries: an integer of at least 2');
if (!(sleepSeconds > 0)) throw new Error('--sleep: seconds, more than 0');

/** The no-op trial commands (argv, no shell): t0 and t1 in microseconds since the epoch, as metrics. */
function command(language: 'bash' | 'python' | 'node', sleep: number): string[] {
  switch (language) {
    case 'bash':
      // $EPOCHREALTIME is a builtin (no fork): seconds.microseconds; ${x/./} drops the point
      return ['bash', '-c', 't0=$EPOCHREALTIME; ' + (sleep > 0 ? `sleep ${sleep}; ` : '') + 'echo "enas-result {\\"score\\": $RANDOM, \\"t0\\": ${t0/./}, \\"t1\\": ${EPOCHREALTIME/./}}"'];
    case 'python':
      return ['python3', '-c', `import time; t0 = time.time_ns() // 1000${sleep > 0 ? `; time.sleep(${sleep})` : ''}; print('enas-result {"score": %d, "t0": %d, "t1": %d}' % (t0 % 32768, t0, time.time_ns() // 1000))`];
    case 'node':
      return [
        process.execPath,
        '-e',
        `const us = () => Math.round((performance.timeOrigin + performance.now()) * 1000); const t0 = us(); const done = () => console.log('enas-result {"score": ' + (t0 % 32768) + ', "t0": ' + t0 + ', "t1": ' + us() + '}');${sleep > 0 ? ` setTimeout(done, ${sleep * 1000});` : ' done();'}`,
      ];
  }
}

interface Case {
  readonly name: string;
  readonly language: 'bash' | 'python' | 'node';
  readonly parallel: number;
  readonly sleep: number;
}

const cases: Case[] = [
  ...(['bash', 'python', 'node'] as const).flatMap((language) => [1, 8].map((parallel) => ({ name: `${language}-noop-p${parallel}`, language, parallel, sleep: 0 }))),
  { name: `bash-sleep-p8`, language: 'bash', parallel: 8, sleep: sleepSeconds },
  { name: `python-sleep-p8`, language: 'python', parallel: 8, sleep: sleepSeconds },
];

interface TrialTimes {
  readonly index: number;
  /** the `proposed` event (batch) that asked for it */
  readonly batch: number;
  /** ms since the epoch */
  readonly spawn: number;
  readonly t0: number;
  readonly t1: number;
  readonly at: number;
}

interface Measured {
  readonly c: Case;
  readonly trials: TrialTimes[];
  readonly failed: number;
  readonly wallSeconds: number;
  readonly load: [number, number];
}

function runCase(c: Case): Measured {
  const dir = join(out, c.name);
  mkdirSync(dir, { recursive: true });
  const spec = {
    apiVersion: 'enas/v1',
    kind: 'Experiment',
    name: `latency-${c.name}`,
    space: { type: 'cell', name: 'noop-cell', nodes: 4, ops: ['none', 'skip', 'conv3', 'conv1', 'pool'] },
    dataset: 'none',
    strategy: 'random',
    seed: 0,
    queries,
    trial: { command: command(c.language, c.sleep), parallel: c.parallel, timeoutSeconds: 60 },
    objective: { metric: 'score', goal: 'maximize' },
  };
  const specFile = join(dir, 'spec.json');
  writeFileSync(specFile, JSON.stringify(spec, null, 2) + '\n');
  const runDir = join(dir, 'run');
  const before = loadavg()[0];
  const started = performance.now();
  const run = spawnSync('npm', ['run', '-s', 'enas', '--', 'search', '--spec', specFile, '--out', runDir, '--json'], { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });
  const wallSeconds = (performance.now() - started) / 1000;
  if (run.status !== 0) throw new Error(`${c.name}: search exited with ${run.status}: ${run.stderr.trim().split('\n').pop()}`);
  const events = readFileSync(join(runDir, 'events.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { type: string; index?: number; batch?: number; trials?: { index: number }[]; at?: string; outcome?: { trainSeconds: number | null; metrics?: Record<string, number> } | null });
  const batchOf = new Map<number, number>();
  for (const e of events) if (e.type === 'proposed') for (const p of e.trials!) batchOf.set(p.index, e.batch!);
  const trials: TrialTimes[] = [];
  let failed = 0;
  for (const e of events) {
    if (e.type !== 'result') continue;
    const m = e.outcome?.metrics;
    if (!e.outcome || !m || m['t0'] === undefined || m['t1'] === undefined || e.outcome.trainSeconds === null) {
      failed++;
      continue;
    }
    // `at` is the ISO time cut to the millisecond: the middle of its millisecond, +-0.5 ms
    const at = Date.parse(e.at!) + 0.5;
    trials.push({ index: e.index!, batch: batchOf.get(e.index!)!, spawn: at - e.outcome.trainSeconds * 1000, t0: m['t0'] / 1000, t1: m['t1'] / 1000, at });
  }
  trials.sort((a, b) => a.at - b.at || a.index - b.index);
  return { c, trials, failed, wallSeconds, load: [before, loadavg()[0]] };
}




const nowMs = () => performance.timeOrigin + performance.now();

interface Bare {
  readonly label: string;
  /** spawnSync called -> the command's t0 */
  readonly start: number;
  /** t1 -> spawnSync returned (the process exited and its pipes closed) */
  readonly exit: number;
  readonly whole: number;
}

/** The same no-op command run directly (spawnSync from this script: no platform), medians of `repeats`. */
function bare(label: string, argv: readonly string[], repeats: number): Bare {
  const start: number[] = [];
  const exit: number[] = [];
  const whole: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const before = nowMs();
    const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', env: { ...process.env, ENAS_TRIAL_DIR: out } });
    const after = nowMs();
    const m = /^enas-result (\{.*\})$/m.exec(r.stdout);
    if (r.status !== 0 || !m) throw new Error(`${label} no-op run directly: ${r.stderr || r.stdout}`);
    const { t0, t1 } = JSON.parse(m[1]) as { t0: number; t1: number };
    start.push(t0 / 1000 - before);
    exit.push(after - t1 / 1000);
    whole.push(after - before);
  }
  return { label, start: quantile(start, 0.5), exit: quantile(exit, 0.5), whole: quantile(whole, 0.5) };
}

/** The two things the runner does synchronously for every trial, in a small process: arch.json as writeFileAtomicSync writes it, and spawn(). */
function buildingBlocks(repeats: number): { write: number; spawn: number } {
  const dir = mkdtempSync(join(out, 'blocks-'));
  const write: number[] = [];
  const spawnCall: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const before = performance.now();
    const tmp = join(dir, `.arch.json.${i}.tmp`);
    const fd = openSync(tmp, 'wx', 0o644);
    writeSync(fd, JSON.stringify({ i, pad: 'x'.repeat(600) }));
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, join(dir, `arch-${i}.json`));
    const dfd = openSync(dir, 'r');
    fsyncSync(dfd);
    closeSync(dfd);
    write.push(performance.now() - before);
  }
  const children: ChildProcess[] = [];
  for (let i = 0; i < repeats; i++) {
    const before = performance.now();
    const child = spawn('bash', ['-c', 'true'], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    spawnCall.push(performance.now() - before);
    child.stdout!.resume();
    child.stderr!.resume();
    children.push(child);
  }
  for (const c of children) c.unref();
  return { write: quantile(write, 0.5), spawn: quantile(spawnCall, 0.5) };
}

function main(): void {
  mkdirSync(out, { recursive: true });
  const startedAt = new Date();
  const uptimeBefore = spawnSync('uptime', { encoding: 'utf8' }).stdout.trim();
  // `python3` on PATH may be a wrapper (a pyenv shim is a shell script): the interpreter itself too, for comparison
  const pythonOnPath = spawnSync('bash', ['-c', 'command -v python3'], { encoding: 'utf8' }).stdout.trim();
  const python = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).stdout.trim();
  // each language's direct runs just before its searches, so that both see about the same load
  const direct: Record<Case['language'], () => Bare[]> = {
    bash: () => [bare('bash', command('bash', 0), 40)],
    python: () => [
      bare(`python3 (${pythonOnPath})`, command('python', 0), 40),
      ...(python && python !== pythonOnPath ? [bare(`the interpreter itself (${python})`, [python, ...command('python', 0).slice(1)], 40)] : []),
    ],
    node: () => [bare('node', command('node', 0), 40)],
  };
  const bares: Bare[] = [];
  const blocks = buildingBlocks(40);
  const results: Measured[] = [];
  for (const c of cases) {
    if (c.sleep === 0 && c.parallel === 1) bares.push(...direct[c.language]());
    process.stderr.write(`${c.name}: ${queries} trials at parallel ${c.parallel}...`);
    const m = runCase(c);
    process.stderr.write(` ${m.wallSeconds.toFixed(1)} s (load ${m.load[0].toFixed(2)} -> ${m.load[1].toFixed(2)})\n`);
    results.push(m);
  }
  const uptimeAfter = spawnSync('uptime', { encoding: 'utf8' }).stdout.trim();

  const lines: string[] = [];
  lines.push(
    '| trial command | parallel | trials | spawn -> t0 | t1 -> result | t0 -> result (a) | result -> next spawn | result spacing (b) | trials / s | whole search (s) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const m of results.filter((r) => r.c.sleep === 0)) {
    const t = m.trials;
    const serial = m.c.parallel === 1;
    const gap = serial ? t.slice(1).map((x, i) => x.spawn - t[i].at) : [];
    const spacing = serial ? t.slice(1).map((x, i) => x.at - t[i].at) : [];
    const rate = (t.length - 1) / ((t[t.length - 1].at - t[0].at) / 1000);
    lines.push(
      `| ${m.c.language} no-op | ${m.c.parallel} | ${t.length}${m.failed ? ` (+${m.failed} failed)` : ''} | ${p50p99(t.map((x) => x.t0 - x.spawn))} | ${p50p99(t.map((x) => x.at - x.t1))} | ${p50p99(t.map((x) => x.at - x.t0))} | ${serial ? p50p99(gap) : '–'} | ${serial ? p50p99(spacing) : '–'} | ${rate.toFixed(1)} | ${m.wallSeconds.toFixed(1)} |`,
    );
  }
  lines.push(
    '',
    '| the same no-op run directly (no platform; medians of 40, just before its parallel-1 search) | spawnSync -> t0 | t1 -> exited | whole |',
    '|---|---:|---:|---:|',
    ...bares.map((b) => `| ${b.label} | ${ms(b.start)} | ${ms(b.exit)} | ${ms(b.whole)} |`),
    '',
    `Done synchronously by the runner for each trial, measured alone in this script (medians of 40): arch.json written as writeFileAtomicSync does (write, fsync, rename, directory fsync) ${ms(blocks.write)} ms; spawn() of a detached bash ${ms(blocks.spawn)} ms.`,
  );
  lines.push(
    '',
    `| trial command (sleep ${sleepSeconds} s) | parallel | trials | wall, first spawn to last result (s) | trials / s | ideal (parallel / sleep) | of ideal | commands running (t0..t1), mean | time with all running | most at once | slots occupied (spawn..result), mean | a batch's spawns spread over, p50 | last result -> next batch's first spawn, p50 / p99 |`,
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const m of results.filter((r) => r.c.sleep > 0)) {
    const t = m.trials;
    const P = m.c.parallel;
    const commands = concurrency(t.map((x) => [x.t0, x.t1]), P);
    const slots = concurrency(t.map((x) => [x.spawn, x.at]), P);
    const first = Math.min(...t.map((x) => x.spawn));
    const wall = (Math.max(...t.map((x) => x.at)) - first) / 1000;
    const rate = t.length / wall;
    const ideal = P / m.c.sleep;
    // a batch: the P trials of one `proposed` event, dispatched together
    const byBatch = new Map<number, TrialTimes[]>();
    for (const x of t) byBatch.set(x.batch, [...(byBatch.get(x.batch) ?? []), x]);
    const batches = [...byBatch.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1]);
    const spread = batches.map((b) => Math.max(...b.map((x) => x.spawn)) - Math.min(...b.map((x) => x.spawn)));
    const turnaround = batches.slice(1).map((b, i) => Math.min(...b.map((x) => x.spawn)) - Math.max(...batches[i].map((x) => x.at)));
    lines.push(
      `| ${m.c.language} sleep | ${P} | ${t.length}${m.failed ? ` (+${m.failed} failed)` : ''} | ${wall.toFixed(2)} | ${rate.toFixed(2)} | ${ideal.toFixed(0)} | ${((100 * rate) / ideal).toFixed(1)} % | ${commands.mean.toFixed(2)} | ${(100 * commands.full).toFixed(1)} % | ${commands.most} | ${slots.mean.toFixed(2)} | ${ms(quantile(spread, 0.5))} ms | ${p50p99(turnaround)} ms |`,
    );
  }
  const loads = results.map((r) => r.load).flat();
  lines.push(
    '',
    `Times in ms, p50 / p99 (linear interpolation) over each run's trials (a result's \`at\` has millisecond resolution, taken as the middle of its millisecond: +-0.5 ms; the spawn point, \`at\` minus the outcome's \`trainSeconds\`, +-1 ms); ${queries} queries per run, strategy random, space {type: cell, name: noop-cell, nodes: 4, ops: [none, skip, conv3, conv1, pool]}.`,
    `Machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}; started ${startedAt.toISOString()}.`,
    `uptime before: ${uptimeBefore}`,
    `uptime after:  ${uptimeAfter}`,
    `1-minute load average at the start and end of each run (this benchmark's own processes included): ${Math.min(...loads).toFixed(2)} to ${Math.max(...loads).toFixed(2)}.`,
    `Run directories (journals, trial directories): ${out}`,
    '',
    'Trial commands (argv):',
    ...(['bash', 'python', 'node'] as const).flatMap((l) => [`- ${l}: ${JSON.stringify(command(l, 0))}`, ...(l === 'node' ? [] : [`- ${l} sleep: ${JSON.stringify(command(l, sleepSeconds))}`])]),
    '',
    `Reproduce: npm run -s tool -- tools/bench/trial-latency.ts --queries ${queries} --sleep ${sleepSeconds}`,
  );
  process.stdout.write(lines.join('\n') + '\n');
}

main();
