import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '@dcl-enas/common';
import { nb201Space, type SearchSpace } from '@dcl-enas/spaces';
import { processAlive } from './process-group';
import { DEFAULT_MAX_LOG_BYTES } from './log-capture';
import { runTrialCommand, type RunTrialOptions } from './run-trial';

const space = nb201Space as SearchSpace<unknown>;
const ARCH = '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|';

let root = '';
let n = 0;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'enas-run-trial-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Runs `node -e script` as the trial. */
function runNode(script: string, extra: Partial<RunTrialOptions> = {}) {
  const dir = join(root, `t${++n}`);
  return runTrialCommand({ trialId: String(n), experimentId: 'e1', arch: ARCH }, { space, dir, command: [process.execPath, '-e', script], objective: { metric: 'acc' }, killGraceMs: 300, timeoutMs: 10_000, ...extra }).then((outcome) => ({ outcome, dir }));
}

describe('runTrialCommand: what the caller got wrong is a UserError', () => {
  const base = (dir: string): RunTrialOptions => ({ space, dir, command: ['true'], objective: { metric: 'acc' } });

  it('refuses a directory that is not empty, and a file', async () => {
    const dir = join(root, 'busy');
    mkdirSync(dir);
    writeFileSync(join(dir, 'x'), '');
    await expect(runTrialCommand({ trialId: 'a', experimentId: 'e', arch: ARCH }, base(dir))).rejects.toThrow(/trial directory .*busy is not empty: every trial needs a fresh directory/);
    await expect(runTrialCommand({ trialId: 'a', experimentId: 'e', arch: ARCH }, base(join(dir, 'x')))).rejects.toThrow(/exists and is not a directory/);
  });

  it('takes an existing empty directory', async () => {
    const dir = join(root, 'empty');
    mkdirSync(dir);
    const outcome = await runTrialCommand({ trialId: 'a', experimentId: 'e', arch: ARCH }, { ...base(dir), command: [process.execPath, '-e', 'console.log("enas-result {\\"acc\\": 1}")'] });
    expect(outcome.status).toBe('succeeded');
  });

  it('refuses an architecture the space does not parse, before creating anything', async () => {
    const dir = join(root, 'badarch');
    const run = runTrialCommand({ trialId: 'a', experimentId: 'e', arch: '|conv~0|' }, base(dir));
    await expect(run).rejects.toBeInstanceOf(UserError);
    await expect(run).rejects.toThrow(/malformed NAS-Bench-201 cell/);
    expect(() => statSync(dir)).toThrow();
  });

  it('refuses bad options', async () => {
    const input = { trialId: 'a', experimentId: 'e', arch: ARCH };
    await expect(runTrialCommand(input, { ...base(join(root, 'o1')), command: [] })).rejects.toThrow(/non-empty list of strings/);
    await expect(runTrialCommand(input, { ...base(join(root, 'o2')), objective: { metric: '' } })).rejects.toThrow(/objective\.metric/);
    await expect(runTrialCommand(input, { ...base(join(root, 'o3')), timeoutMs: 0 })).rejects.toThrow(/timeoutMs must be a positive number of milliseconds, got 0/);
    await expect(runTrialCommand(input, { ...base(join(root, 'o4')), env: { ENAS_TRIAL_DIR: '/x' } })).rejects.toThrow(/trial env ENAS_TRIAL_DIR: set by the runner/);
    await expect(runTrialCommand({ ...input, trialId: '' }, base(join(root, 'o5')))).rejects.toThrow(/trialId must be a non-empty string/);
  });
});

describe('runTrialCommand: outcomes', () => {
  it('a command that does not exist: failed, naming it', async () => {
    const { outcome } = await runNode('', { command: ['/no/such/trial-command'] });
    expect(outcome).toMatchObject({ status: 'failed', metrics: {} });
    expect(outcome.reason).toBe('cannot start "/no/such/trial-command": command not found (or the working directory does not exist) (ENOENT)');
  });

  it('exit 0 without a result: failed, saying how to report', async () => {
    const { outcome } = await runNode('console.log("done")');
    expect(outcome.reason).toBe('exited with code 0 but reported no result: write result.json in $ENAS_TRIAL_DIR or print a line "enas-result {...}"');
    expect(outcome.logTail).toEqual(['done']);
  });

  it('names the first bad value: null (JSON.stringify of NaN), a string, a boolean, an array', async () => {
    const res = (text: string) => runNode(`require('fs').writeFileSync(process.env.ENAS_TRIAL_DIR + '/result.json', ${JSON.stringify(text)})`).then((r) => r.outcome.reason);
    expect(await res(JSON.stringify({ acc: NaN }))).toBe('result value "acc" in result.json is null, not a number');
    expect(await res('{"acc": 1, "name": "resnet", "ok": true}')).toBe('result value "name" in result.json is a string, not a number (and 1 more)');
    expect(await res('[1, 2]')).toBe('result.json is not a JSON object of metrics (got an array)');
    expect(await res('{"acc": -Infinity}')).toBe('result value "acc" in result.json is -Infinity, not a finite number');
    expect(await res('{}')).toBe('result.json has no "acc" (the objective metric); it is empty');
  });

  it('the last enas-result line counts; lines that only look like protocol lines are output', async () => {
    const { outcome } = await runNode('console.log("enas-result {\\"acc\\": 0.1}"); console.log("enas-resultish {}"); console.log("  enas-result {\\"acc\\": 5}"); console.log("enas-result\\t{\\"acc\\": 0.2}")');
    expect(outcome).toMatchObject({ status: 'succeeded', metrics: { acc: 0.2 } });
  });

  it('intermediate values: malformed lines ignored, non-finite values left out, values kept in order', async () => {
    const { outcome } = await runNode(
      ['enas-metric {"step": 1, "acc": 0.1}', 'enas-metric {"step": 2, "acc": NaN, "loss": 2}', 'enas-metric {"acc": 0.3}', 'enas-metric nonsense', 'enas-metric {"step": 3, "acc": 0.3, "tag": "x"}', 'enas-result {"acc": 0.4}']
        .map((l) => `console.log(${JSON.stringify(l)});`)
        .join(''),
    );
    expect(outcome.intermediate).toEqual([
      { step: 1, values: { acc: 0.1 } },
      { step: 2, values: { loss: 2 } },
      { step: 3, values: { acc: 0.3 } },
    ]);
    expect(outcome.metrics).toEqual({ acc: 0.4 });
    expect(outcome.logTail).toEqual([]);
  });

  it('early stop before any objective value: early-stopped with no partial value', async () => {
    const { outcome } = await runNode('console.log("enas-metric {\\"step\\": 1, \\"loss\\": 2}"); setInterval(() => {}, 1000)', { onIntermediate: () => 'stop' });
    expect(outcome).toMatchObject({ status: 'early-stopped', metrics: {}, reason: 'stopped early at step 1' });
  });

  it('onIntermediate that throws: the trial is ended, failed', async () => {
    const { outcome } = await runNode('console.log("enas-metric {\\"step\\": 1, \\"acc\\": 2}"); setInterval(() => {}, 1000)', {
      onIntermediate: () => {
        throw new Error('boom');
      },
    });
    expect(outcome).toMatchObject({ status: 'failed', reason: 'onIntermediate failed: boom' });
  });

  it('abort: the group is ended, failed with reason "aborted"', async () => {
    const controller = new AbortController();
    const dir = join(root, 'abort');
    const script = 'require("fs").writeFileSync(process.env.ENAS_TRIAL_DIR + "/pid", String(process.pid)); console.log("enas-metric {\\"step\\": 1, \\"acc\\": 2}"); setInterval(() => {}, 1000)';
    const run = runTrialCommand({ trialId: 'a', experimentId: 'e', arch: ARCH }, { space, dir, command: [process.execPath, '-e', script], objective: { metric: 'acc' }, killGraceMs: 300, timeoutMs: 10_000, signal: controller.signal, onIntermediate: () => (controller.abort(), 'continue') });
    const outcome = await run;
    expect(outcome).toMatchObject({ status: 'failed', reason: 'aborted', metrics: {} });
    expect(processAlive(Number(readFileSync(join(dir, 'pid'), 'utf8')))).toBe(false);
    controller.abort();
    const early = await runTrialCommand({ trialId: 'b', experimentId: 'e', arch: ARCH }, { space, dir: join(root, 'abort2'), command: ['true'], objective: { metric: 'acc' }, signal: controller.signal });
    expect(early).toMatchObject({ status: 'failed', reason: 'aborted', seconds: 0 });
  });

  it('a background process the trial leaves behind is ended when the trial exits', async () => {
    const script = `
      const { spawn } = require('child_process');
      const bg = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
      require('fs').writeFileSync(process.env.ENAS_TRIAL_DIR + '/bg', String(bg.pid));
      bg.unref();
      console.log('enas-result {"acc": 0.5}');`;
    const { outcome, dir } = await runNode(script);
    expect(outcome).toMatchObject({ status: 'succeeded', metrics: { acc: 0.5 } });
    expect(processAlive(Number(readFileSync(join(dir, 'bg'), 'utf8')))).toBe(false);
  });

  it("a trial does not outlive the runner's process when that exits", async () => {
    const dir = join(root, 'orphan');
    const trial = 'process.on("SIGTERM", () => {}); require("fs").writeFileSync(process.env.ENAS_TRIAL_DIR + "/pid", String(process.pid)); console.log(\'enas-metric {"step": 1}\'); setInterval(() => {}, 1000)';
    const runner = `
      const { runTrialCommand } = require(${JSON.stringify(join(__dirname, 'index.ts'))});
      const { nb201Space } = require(${JSON.stringify(join(__dirname, '..', '..', 'spaces', 'src', 'index.ts'))});
      const trial = ${JSON.stringify(trial)};
      runTrialCommand({ trialId: 'o', experimentId: 'e', arch: ${JSON.stringify(ARCH)} }, { space: nb201Space, dir: ${JSON.stringify(dir)}, command: [process.execPath, '-e', trial], objective: { metric: 'acc' }, onIntermediate: () => process.exit(0) });`;
    execFileSync(process.execPath, ['-r', join(__dirname, '..', '..', '..', 'tools', 'register.cjs'), '-e', runner], { timeout: 20_000 });
    const pid = Number(readFileSync(join(dir, 'pid'), 'utf8'));
    await new Promise((r) => setTimeout(r, 100));
    expect(processAlive(pid)).toBe(false);
  });

  it('environment: the spec env, PYTHONUNBUFFERED=1 unless given, CUDA_VISIBLE_DEVICES from gpu', async () => {
    const script = 'const e = process.env; console.log("enas-result " + JSON.stringify({ acc: 1, pu: Number(e.PYTHONUNBUFFERED), gpu: Number(e.CUDA_VISIBLE_DEVICES ?? 0), mine: Number(e.MINE) }))';
    const { outcome } = await runNode(script, { env: { MINE: '7', CUDA_VISIBLE_DEVICES: '9' }, gpu: '2' });
    expect(outcome.metrics).toEqual({ acc: 1, pu: 1, gpu: 2, mine: 7 });
    const { outcome: own } = await runNode(script, { env: { PYTHONUNBUFFERED: '0', MINE: '1' } });
    expect(own.metrics).toMatchObject({ pu: 0, mine: 1 });
  });

  it('the default log cap is 10 MiB per stream', async () => {
    const { outcome, dir } = await runNode('process.stdout.write("y".repeat(11 * 1024 * 1024) + "\\nenas-result {\\"acc\\": 3}\\n")');
    expect(outcome.metrics).toEqual({ acc: 3 });
    const text = readFileSync(join(dir, 'stdout.log'), 'utf8');
    expect(text.startsWith('y'.repeat(1000))).toBe(true);
    expect(statSync(join(dir, 'stdout.log')).size).toBeLessThan(DEFAULT_MAX_LOG_BYTES + 200);
    expect(text).toMatch(/\[enas: log capped at 10485760 bytes; \d+ more bytes dropped\]\n$/);
    // the long line is in the tail, cut
    expect(outcome.logTail[0]).toMatch(/^y{497}\.\.\.$/);
  });

  it('a protocol line over 1 MiB is not read', async () => {
    const { outcome } = await runNode('console.log("enas-result " + JSON.stringify({ acc: 1, pad: "z".repeat(1.1 * 1024 * 1024) }))');
    expect(outcome.reason).toMatch(/^exited with code 0 but reported no result/);
  });

  it('result.json over 1 MiB: failed', async () => {
    const { outcome } = await runNode('require("fs").writeFileSync(process.env.ENAS_TRIAL_DIR + "/result.json", " ".repeat(2 << 20) + "{}")');
    expect(outcome.reason).toBe('result.json is 2097154 bytes, more than 1048576: report one flat object of metrics');
  });

  it('an exit code with no stderr: the reason is the code alone; the tail falls back to stdout', async () => {
    const { outcome } = await runNode('console.log("last words"); process.exit(7)');
    expect(outcome).toMatchObject({ status: 'failed', reason: 'exited with code 7', logTail: ['last words'] });
  });

  it('keeps only the last 20 stderr lines in the tail', async () => {
    const { outcome } = await runNode('for (let i = 0; i < 50; i++) console.error("line " + i); process.exit(1)');
    expect(outcome.logTail).toEqual(Array.from({ length: 20 }, (_, i) => `line ${i + 30}`));
    expect(outcome.reason).toBe('exited with code 1: line 49');
  });
});
