import { afterAll, describe, expect, it } from 'vitest';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { processAlive } from '@dcl-enas/trials';

/**
 * `enas search --spec`: a declared space, the user's own trial command (trial protocol v1,
 * docs/trials.md), failures that do not end the experiment, and a journal that makes the same
 * command resume after kill -9 without training a finished trial again.
 */

const root = resolve(__dirname, '..', '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'enas-search-spec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const cli = ['-r', './tools/register.cjs', 'apps/cli/src/main.ts'];

function enas(args: string[]): Promise<Run> {
  return new Promise((done) =>
    execFile(process.execPath, [...cli, ...args], { cwd: root, maxBuffer: 16 << 20 }, (error, stdout, stderr) => done({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr })),
  );
}

/** A trial in bash: the score is a function of the architecture text; `fail` makes some trials exit 1; `sleep` seconds. */
function trialScript(name: string, options: { fail?: boolean; sleep?: number } = {}): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    [
      '#!/usr/bin/env bash',
      'set -eu',
      `sleep ${options.sleep ?? 0}`,
      'convs=$(grep -o conv3 "$ENAS_TRIAL_DIR/arch.json" | wc -l)',
      'pools=$(grep -o pool <<< "$ENAS_ARCH" | wc -l)',
      options.fail ? 'if [ "$pools" -ge 2 ]; then echo "too many pools: $pools" >&2; exit 1; fi' : '',
      'echo "enas-metric {\\"step\\": 1, \\"score\\": $convs}"',
      'echo "enas-result {\\"score\\": $((convs * 10 + pools)), \\"convs\\": $convs}"',
    ].join('\n'),
  );
  return path;
}

function specFile(name: string, script: string, extra: Record<string, unknown> = {}, queries = 12): string {
  const spec = {
    apiVersion: 'enas/v1',
    kind: 'Experiment',
    name,
    space: { type: 'cell', name: 'tiny-cell', nodes: 4, ops: ['none', 'skip', 'conv3', 'pool'] },
    dataset: 'synthetic',
    strategy: 'rea',
    seed: 1,
    queries,
    trial: { command: ['bash', script], parallel: 2, timeoutSeconds: 30, ...extra },
    objective: { metric: 'score', goal: 'maximize' },
  };
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify(spec));
  return path;
}

const journalOf = (out: string) =>
  readFileSync(join(out, 'events.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { type: string; index?: number; key?: string; outcome?: { metrics?: Record<string, number> } | null });

describe('enas search --spec with a trial command', () => {
  it('searches a declared space with the command, keeps every trial directory, and reports best.metrics', async () => {
    const out = join(dir, 'out-basic');
    const run = await enas(['search', '--spec', specFile('basic', trialScript('basic.sh')), '--out', out, '--json']);
    expect(run.stderr).not.toMatch(/internal error/);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as { space: string; queries: number; best: { arch: string; valAcc: number; metrics: Record<string, number> }; trajectory: unknown[]; failedTrials: unknown[] };
    expect(result.space).toBe('tiny-cell');
    expect(result.trajectory).toHaveLength(12);
    expect(result.failedTrials).toEqual([]);
    expect(result.best.metrics['score']).toBe(result.best.valAcc);
    expect(result.best.metrics['convs']).toBeGreaterThanOrEqual(0);
    const trials = readdirSync(join(out, 'trials')).sort();
    expect(trials).toHaveLength(12);
    for (const t of trials) {
      const attempt = join(out, 'trials', t, 'attempt-1');
      const arch = JSON.parse(readFileSync(join(attempt, 'arch.json'), 'utf8')) as { arch: string; cellEdges: unknown[] };
      expect(arch.cellEdges).toHaveLength(6);
      expect(existsSync(join(attempt, 'stdout.log'))).toBe(true);
    }
    // the same command again: everything is in the journal, nothing is trained again
    const again = await enas(['search', '--spec', specFile('basic', trialScript('basic.sh')), '--out', out, '--json']);
    expect(again.code).toBe(0);
    expect((JSON.parse(again.stdout) as { best: unknown }).best).toEqual(result.best);
    expect(readdirSync(join(out, 'trials', trials[0]))).toEqual(['attempt-1']);
  });

  it('records failed trials with their reason and goes on, up to maxFailedTrials', async () => {
    const out = join(dir, 'out-fail');
    const run = await enas(['search', '--spec', specFile('fails', trialScript('fails.sh', { fail: true }), { maxFailedTrials: 100 }, 20), '--out', out, '--json']);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as { trajectory: unknown[]; failedTrials: { index: number; reason: string }[] };
    expect(result.failedTrials.length).toBeGreaterThan(0);
    expect(result.trajectory.length + result.failedTrials.length).toBe(20);
    for (const f of result.failedTrials) expect(f.reason).toMatch(/too many pools/);
    const strict = await enas(['search', '--spec', specFile('strict', trialScript('strict.sh', { fail: true }), { maxFailedTrials: 0 }, 20), '--out', join(dir, 'out-strict')]);
    expect(strict.code).not.toBe(0);
    expect(strict.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('resumes after kill -9 with the same command: finished trials are not trained again, the running ones are', async () => {
    const out = join(dir, 'out-resume');
    const spec = specFile('resume', trialScript('slow.sh', { sleep: 0.4 }), {}, 16);
    const child = spawn(process.execPath, [...cli, 'search', '--spec', spec, '--out', out, '--json'], { cwd: root, stdio: 'ignore' });
    const results = () => (existsSync(join(out, 'events.jsonl')) ? journalOf(out).filter((e) => e.type === 'result').length : 0);
    const deadline = Date.now() + 60_000;
    while (results() < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const before = new Set(journalOf(out).filter((e) => e.type === 'result').map((e) => e.index!));
    expect(before.size).toBeGreaterThanOrEqual(5);
    expect(before.size).toBeLessThan(16);
    await new Promise((r) => setTimeout(r, 600)); // the orphaned trials of the killed run finish

    const resumed = await enas(['search', '--spec', spec, '--out', out, '--json']);
    expect(resumed.code).toBe(0);
    expect((JSON.parse(resumed.stdout) as { trajectory: unknown[] }).trajectory).toHaveLength(16);
    const journal = journalOf(out).filter((e) => e.type === 'result');
    expect(journal).toHaveLength(16); // one result per trial
    expect(new Set(journal.map((e) => e.index)).size).toBe(16);
    for (let index = 0; index < 16; index++) {
      const attempts = readdirSync(join(out, 'trials', `trial-${index}`));
      // trained once if it had finished before the kill; a trial that was running got a second, fresh attempt
      if (before.has(index)) expect(attempts).toEqual(['attempt-1']);
      else expect(attempts.length).toBeLessThanOrEqual(2);
    }
  });

  it('on Ctrl-C (SIGINT) ends at once with its running trials, records none of them, and the same command resumes', async () => {
    const out = join(dir, 'out-interrupt');
    const script = join(dir, 'long.sh');
    const marker = join(dir, 'slow-from-trial-3');
    writeFileSync(marker, '');
    // trials 0..2 finish; trial 3 would run for 30 s while the marker exists: it is running when Ctrl-C comes
    writeFileSync(
      script,
      ['#!/usr/bin/env bash', 'echo $$ > "$ENAS_TRIAL_DIR/pid"', `if [ "$ENAS_TRIAL_ID" -ge 3 ] && [ -e ${marker} ]; then sleep 30; else sleep 0.1; fi`, 'echo "enas-result {\\"score\\": $RANDOM}"'].join('\n'),
    );
    const spec = specFile('interrupt', script, {}, 12);
    const child = spawn(process.execPath, [...cli, 'search', '--spec', spec, '--out', out, '--json'], { cwd: root, stdio: 'ignore' });
    const results = () => (existsSync(join(out, 'events.jsonl')) ? journalOf(out).filter((e) => e.type === 'result').length : 0);
    const deadline = Date.now() + 60_000;
    while (results() < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGINT');
    const code = await new Promise((r) => child.once('exit', (c) => r(c)));
    expect(code).toBe(130);
    const recorded = new Set(journalOf(out).filter((e) => e.type === 'result').map((e) => e.index!));
    // every trial directory without a result: its process is gone
    for (const t of readdirSync(join(out, 'trials'))) {
      const index = Number(t.replace('trial-', ''));
      if (recorded.has(index)) continue;
      const pidFile = join(out, 'trials', t, 'attempt-1', 'pid');
      if (!existsSync(pidFile)) continue;
      const pid = Number(readFileSync(pidFile, 'utf8'));
      await expect.poll(() => processAlive(pid), { timeout: 2000 }).toBe(false); // a zombie counts as gone

    }
    expect(recorded.has(3)).toBe(false);
    rmSync(marker);
    const resumed = await enas(['search', '--spec', spec, '--out', out, '--json']);
    expect(resumed.code).toBe(0);
    expect(journalOf(out).filter((e) => e.type === 'result')).toHaveLength(12);
  });

  it('stops trials that lag with the median rule: each keeps its last intermediate value, marked early-stopped', async () => {
    const script = join(dir, 'curves.sh');
    writeFileSync(
      script,
      [
        '#!/usr/bin/env bash',
        'set -eu',
        'convs=$(grep -o conv3 <<< "$ENAS_ARCH" | wc -l)',
        'for step in 1 2 3 4 5; do echo "enas-metric {\\"step\\": $step, \\"score\\": $((convs * step))}"; sleep 0.05; done',
        'echo "enas-result {\\"score\\": $((convs * 5))}"',
      ].join('\n'),
    );
    const path = specFile('stopping', script, { parallel: 1 }, 16);
    const spec = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    writeFileSync(path, JSON.stringify({ ...spec, earlyStopping: { rule: 'median', minTrials: 3, startStep: 2 } }));
    const out = join(dir, 'out-stopping');
    const run = await enas(['search', '--spec', path, '--out', out, '--json']);
    expect(run.code).toBe(0);
    const results = journalOf(out).filter((e) => e.type === 'result') as { outcome: { valAcc: number; earlyStopped?: true } | null }[];
    const stopped = results.filter((r) => r.outcome?.earlyStopped);
    expect(stopped.length).toBeGreaterThan(0);
    expect(results.length).toBe(16);
    expect(results.every((r) => r.outcome !== null)).toBe(true);
  });

  it('refuses a bad spec in one line: unknown field, no command for a declared space, no objective', async () => {
    const bad = async (spec: Record<string, unknown>) => {
      const path = join(dir, `bad-${Math.random().toString(36).slice(2)}.json`);
      writeFileSync(path, JSON.stringify({ apiVersion: 'enas/v1', kind: 'Experiment', dataset: 'd', strategy: 'rea', queries: 5, space: { type: 'cell', name: 'c', nodes: 4, ops: ['none', 'skip', 'conv'] }, ...spec }));
      const run = await enas(['search', '--spec', path, '--out', join(dir, 'bad-out')]);
      expect(run.code).toBe(2);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      return run.stderr;
    };
    expect(await bad({ trial: { command: ['true'], colour: 'red' }, objective: { metric: 'x' } })).toMatch(/trial: .*colour/);
    expect(await bad({})).toMatch(/trial\.command: c is a declared space/);
    expect(await bad({ trial: { command: ['true'] } })).toMatch(/^enas: objective: /);
    expect(await bad({ trial: { command: ['true'] }, objective: { metric: 'x' }, strategy: 'nope' })).toMatch(/strategy: unknown strategy "nope"/);
    const flags = await enas(['search', '--spec', join(dir, 'basic.json'), '--space', 'nb201']);
    expect(flags.code).toBe(2);
    expect(flags.stderr).toMatch(/--space is set by the spec/);
  });
});
