import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { declaredSpace, type SearchSpace, type SpaceDefinition } from '@dcl-enas/spaces';
import { archJson, type TrialArchInput } from './protocol';
import { processAlive } from './process-group';
import type { RunTrialOptions, TrialRunner } from './run-trial';

/**
 * The trial protocol v1 conformance suite (docs/trials.md), for any runner with the signature of
 * runTrialCommand: a local process runner, a cluster trainer, a Kubernetes Job. Each case runs a
 * fixture trial (test-fixtures/trial.sh, trial.py, trial.mjs; one mode per case) and checks the
 * outcome, the trial directory and, for a local runner, that no process outlives a killed trial.
 *
 *   registerTrialConformance(runTrialCommand);                       // in a *.test.ts file
 *   registerTrialConformance(myJobRunner, { local: false, command }); // a runner elsewhere
 */

export type TrialLanguage = 'bash' | 'python' | 'node';
export const TRIAL_LANGUAGES: readonly TrialLanguage[] = ['bash', 'python', 'node'];

/** The fixture modes, one per conformance case. */
export type TrialFixtureMode = 'file' | 'stdout' | 'both' | 'missing' | 'malformed' | 'nan' | 'exit' | 'crash' | 'hang' | 'flood' | 'curve' | 'env';

/** The folder of the fixture trials. */
export const TRIAL_FIXTURES_DIR = resolve(__dirname, '..', 'test-fixtures');

/** The command of a fixture trial on this machine: bash, python3 and this Node (process.execPath). */
export function fixtureCommand(language: TrialLanguage, mode: TrialFixtureMode): string[] {
  switch (language) {
    case 'bash':
      return ['bash', join(TRIAL_FIXTURES_DIR, 'trial.sh'), mode];
    case 'python':
      return ['python3', join(TRIAL_FIXTURES_DIR, 'trial.py'), mode];
    case 'node':
      return [process.execPath, join(TRIAL_FIXTURES_DIR, 'trial.mjs'), mode];
  }
}

export interface ConformanceOptions {
  /** Title of the suite (default 'trial protocol v1 conformance'). */
  readonly name?: string;
  readonly languages?: readonly TrialLanguage[];
  /** The argv of a fixture (default fixtureCommand). */
  readonly command?: (language: TrialLanguage, mode: TrialFixtureMode) => string[];
  /**
   * True (the default) when the trial runs on this machine: the suite then checks that no
   * process of a killed trial survives (by the pids the fixture writes), and that
   * ENAS_TRIAL_DIR and the working directory are the ones asked for.
   */
  readonly local?: boolean;
  /** Multiplies the suite's timeouts and time limits, for runners that start slowly (default 1). */
  readonly timeScale?: number;
  /**
   * 'job': the trial runs in a pod of a Kubernetes Job and its outcome is the result stored for it
   * (docs/trials.md, "Kubernetes Jobs"): no logTail or intermediate values come back; a failed
   * pod's reason is followed by the Job's condition in parentheses; a crash by signal N is exit
   * code 128 + N; a timeout is the Job's deadline (whole seconds); early stopping is not available
   * (a spec asking for it is refused); GPUs are the device plugin's, not CUDA_VISIBLE_DEVICES.
   * The trial directory checked is a copy of the pod's. Implies local: false. Default 'process'.
   */
  readonly kind?: 'process' | 'job';
}

/** The definitions of conformanceSpaces, as a spec declares them (a runner that needs the spec's space). */
export const CONFORMANCE_SPACE_DEFINITIONS = {
  cell: { type: 'cell', name: 'conf-cell', nodes: 3, ops: ['none', 'skip', 'conv3'] },
  layers: {
    type: 'layers',
    name: 'conf-layers',
    stages: [
      { depth: [1, 2], choices: { width: [16, 32], op: ['mbconv3', 'mbconv5', 'skip'] } },
      { depth: [1, 1], choices: { op: ['conv'], expand: [3, 6] } },
    ],
  },
} as const satisfies Record<string, SpaceDefinition>;

/** A cell space and a layers space, declared as a spec would. */
export const conformanceSpaces = {
  cell: () => declaredSpace(structuredClone(CONFORMANCE_SPACE_DEFINITIONS.cell) as SpaceDefinition),
  layers: () => declaredSpace(structuredClone(CONFORMANCE_SPACE_DEFINITIONS.layers) as SpaceDefinition),
};

const CELL_ARCH = '|conv3~0|+|skip~0|none~1|';
const LAYERS_ARCH = 'op=mbconv5,width=32 | skip || op=conv,expand=6';

function lines(path: string): Record<string, string> {
  return Object.fromEntries(
    readFileSync(path, 'utf8')
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

/** Registers the conformance cases (vitest describe/it) for `runner`. */
export function registerTrialConformance(runner: TrialRunner, options: ConformanceOptions = {}): void {
  const name = options.name ?? 'trial protocol v1 conformance';
  const command = options.command ?? fixtureCommand;
  const job = options.kind === 'job';
  const local = !job && (options.local ?? true);
  /** A failed trial's reason: exactly `text` for a process; for a Job, `text` and maybe the Job's condition. */
  const expectReason = (reason: string | null, text: string) => {
    if (job) expect(reason).toMatch(new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}( \\(.+\\))?$`));
    else expect(reason).toBe(text);
  };
  const scale = options.timeScale ?? 1;
  const ms = (n: number) => Math.round(n * scale);

  describe(name, () => {
    let root = '';
    let counter = 0;
    beforeAll(() => {
      root = mkdtempSync(join(tmpdir(), 'enas-trials-'));
    });
    afterAll(() => {
      if (root) rmSync(root, { recursive: true, force: true });
    });

    const cell = conformanceSpaces.cell();
    const input = (arch = CELL_ARCH, extra: Partial<TrialArchInput> = {}): TrialArchInput => ({ trialId: String(++counter), experimentId: 'conformance', arch, ...extra });
    const run = (language: TrialLanguage, mode: TrialFixtureMode, extra: Partial<RunTrialOptions> = {}, arch?: TrialArchInput) => {
      const a = arch ?? input();
      const dir = join(root, `${language}-${mode}-${a.trialId}`);
      return runner(a, { space: cell, dir, command: command(language, mode), objective: { metric: 'accuracy' }, killGraceMs: ms(300), timeoutMs: ms(10_000), ...extra }).then((outcome) => ({ outcome, dir }));
    };

    for (const language of options.languages ?? TRIAL_LANGUAGES) {
      describe(language, () => {
        it('result by file: succeeded with every numeric key, the directory kept', async () => {
          const { outcome, dir } = await run(language, 'file');
          expect(outcome).toMatchObject({ status: 'succeeded', reason: null, metrics: { accuracy: 0.91, params: 12345, latency_ms: 3.5 } });
          expect(outcome.seconds).toBeGreaterThanOrEqual(0);
          expect(JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8'))).toEqual({ accuracy: 0.91, params: 12345, latency_ms: 3.5 });
          expect(existsSync(join(dir, 'arch.json'))).toBe(true);
          if (job) return; // a pod's output is its log, not files of its directory
          expect(readFileSync(join(dir, 'stdout.log'), 'utf8')).toContain(`training ${CELL_ARCH}`);
          expect(existsSync(join(dir, 'stderr.log'))).toBe(true);
        });

        it('result by stdout: an "enas-result {...}" line', async () => {
          const { outcome } = await run(language, 'stdout');
          expect(outcome).toMatchObject({ status: 'succeeded', reason: null, metrics: { accuracy: 0.92, params: 12345 } });
          expect(Object.keys(outcome.metrics).sort()).toEqual(['accuracy', 'params']);
        });

        it('result.json wins over the stdout line', async () => {
          const { outcome } = await run(language, 'both');
          expect(outcome).toMatchObject({ status: 'succeeded', metrics: { accuracy: 0.5 } });
        });

        it('objective metric missing: failed, naming the metric and what was reported', async () => {
          const { outcome } = await run(language, 'missing');
          expect(outcome.status).toBe('failed');
          expect(outcome.metrics).toEqual({});
          expectReason(outcome.reason, 'the enas-result line on stdout has no "accuracy" (the objective metric); it has loss, params');
        });

        it('malformed result JSON: failed', async () => {
          const { outcome } = await run(language, 'malformed');
          expect(outcome.status).toBe('failed');
          expect(outcome.reason).toMatch(/^malformed JSON in result\.json: \S/);
          expect(outcome.reason).not.toContain('\n');
        });

        it('NaN: failed, naming the key', async () => {
          const { outcome } = await run(language, 'nan');
          expect(outcome.status).toBe('failed');
          expectReason(outcome.reason, 'result value "accuracy" in the enas-result line on stdout is NaN, not a finite number');
        });

        it('non-zero exit: failed with the exit code and the last stderr line', async () => {
          const { outcome } = await run(language, 'exit');
          expect(outcome).toMatchObject({ status: 'failed', metrics: {} });
          expectReason(outcome.reason, 'exited with code 3: error: out of memory on purpose');
          if (!job) expect(outcome.logTail).toContain('error: out of memory on purpose');
        });

        it('a crash mid-trial (a signal): failed, naming the signal', async () => {
          const { outcome } = await run(language, 'crash');
          expect(outcome.status).toBe('failed');
          if (job) {
            expectReason(outcome.reason, 'exited with code 139: about to crash');
            return;
          }
          expect(outcome.reason).toBe('killed by signal SIGSEGV: about to crash');
          expect(outcome.intermediate).toEqual([{ step: 1, values: { accuracy: 0.1 } }]);
        });

        it('timeout: the whole group is killed, children that ignore SIGTERM too', async () => {
          const timeoutMs = ms(1500);
          const grace = ms(300);
          const started = Date.now();
          const { outcome, dir } = await run(language, 'hang', { timeoutMs, killGraceMs: grace });
          const wall = Date.now() - started;
          if (job) {
            // The Job's activeDeadlineSeconds, in whole seconds: its pod is deleted, its processes with it.
            expect(outcome).toMatchObject({ status: 'failed', metrics: {} });
            expect(outcome.reason).toMatch(/^DeadlineExceeded: Job was active longer than specified deadline/);
            expect(wall).toBeGreaterThanOrEqual(Math.ceil(timeoutMs / 1000) * 1000 - 50);
            expect(wall).toBeLessThan(Math.ceil(timeoutMs / 1000) * 1000 + ms(6000));
            return;
          }
          expect(outcome).toMatchObject({ status: 'timed-out', metrics: {}, reason: `timed out after ${timeoutMs / 1000} s (process group killed)` });
          // The leader ignores SIGTERM: only SIGKILL after the grace period ends it.
          expect(wall).toBeGreaterThanOrEqual(timeoutMs + grace - 50);
          expect(wall).toBeLessThan(timeoutMs + grace + ms(4000));
          if (local) {
            const pids = readFileSync(join(dir, 'pids'), 'utf8').split('\n').filter(Boolean).map(Number);
            expect(pids.length).toBeGreaterThanOrEqual(3);
            expect(pids.filter((pid) => processAlive(pid))).toEqual([]);
          }
        });

        it('10 MB of output: logs capped with a note, the result still read, the runner fast', async () => {
          const maxLogBytes = 1 << 20;
          const started = Date.now();
          const { outcome, dir } = await run(language, 'flood', { maxLogBytes });
          expect(Date.now() - started).toBeLessThan(ms(8000));
          expect(outcome).toMatchObject({ status: 'succeeded', metrics: { accuracy: 0.93 } });
          if (job) return; // a pod log is the container runtime's to cap and rotate
          for (const log of ['stdout.log', 'stderr.log']) {
            const size = statSync(join(dir, log)).size;
            expect(size).toBeGreaterThan(maxLogBytes);
            expect(size).toBeLessThan(maxLogBytes + 200);
            expect(readFileSync(join(dir, log), 'utf8').slice(-200)).toMatch(/\n\[enas: log capped at 1048576 bytes; \d+ more bytes dropped\]\n$/);
          }
          expect(outcome.logTail.length).toBeLessThanOrEqual(20);
          expect(outcome.logTail.at(-1)).toBe('err line');
        });

        it.skipIf(job)('early stopping via onIntermediate: killed, the last objective value kept', async () => {
          const seen: number[] = [];
          const started = Date.now();
          const { outcome } = await run(language, 'curve', {
            onIntermediate: (step, values) => {
              seen.push(step);
              expect(values).toMatchObject({ loss: 1.5 });
              return step >= 3 ? 'stop' : 'continue';
            },
          });
          expect(Date.now() - started).toBeLessThan(ms(2500));
          expect(seen).toEqual([1, 2, 3]);
          expect(outcome).toMatchObject({ status: 'early-stopped', metrics: { accuracy: 0.003 }, reason: 'stopped early at step 3' });
          expect(outcome.intermediate).toEqual([1, 2, 3].map((step) => ({ step, values: { accuracy: step / 1000, loss: 1.5 } })));
        });

        it('arch.json and environment for a cell space', async () => {
          const space = cell;
          const cwd = mkdtempSync(join(root, 'cwd-'));
          const arch = input(CELL_ARCH, { params: { epochs: 3, lr: 0.1, dataset: 'cifar10' } });
          const { outcome, dir } = await run(language, 'env', { space, cwd, gpu: '1', env: { ENAS_TEST_VAR: 'hello world' } }, arch);
          expect(outcome.status).toBe('succeeded');
          const seen = JSON.parse(readFileSync(join(dir, 'seen-arch.json'), 'utf8'));
          expect(seen).toEqual(JSON.parse(JSON.stringify(archJson(space, arch))));
          expect(seen).toEqual({
            protocol: 1,
            trialId: arch.trialId,
            experimentId: 'conformance',
            arch: CELL_ARCH,
            key: space.key(space.parse(CELL_ARCH)),
            graph: {
              ops: ['input', 'conv3', 'skip', 'none', 'output'],
              edges: [
                [0, 1],
                [0, 2],
                [1, 3],
                [2, 4],
                [3, 4],
              ],
            },
            cellEdges: [
              { from: 0, to: 1, op: 'conv3' },
              { from: 0, to: 2, op: 'skip' },
              { from: 1, to: 2, op: 'none' },
            ],
            params: { epochs: 3, lr: 0.1, dataset: 'cifar10' },
          });
          const env = lines(join(dir, 'seen-env.txt'));
          expect(env).toMatchObject({ ENAS_TRIAL_ID: arch.trialId, ENAS_EXPERIMENT_ID: 'conformance', ENAS_ARCH: CELL_ARCH, ENAS_TEST_VAR: 'hello world', ...(job ? {} : { CUDA_VISIBLE_DEVICES: '1' }) });
          if (local) {
            expect(realpathSync(env['ENAS_TRIAL_DIR'])).toBe(realpathSync(dir));
            expect(realpathSync(env['CWD'])).toBe(realpathSync(cwd));
          }
        });

        it('arch.json and environment for a layers space: choices as declared, numbers stay numbers', async () => {
          const space: SearchSpace<unknown> = conformanceSpaces.layers();
          const arch = input(LAYERS_ARCH);
          const { outcome, dir } = await run(language, 'env', { space }, arch);
          expect(outcome.status).toBe('succeeded');
          const seen = JSON.parse(readFileSync(join(dir, 'seen-arch.json'), 'utf8'));
          expect(seen).toEqual({
            protocol: 1,
            trialId: arch.trialId,
            experimentId: 'conformance',
            arch: LAYERS_ARCH,
            key: 'op=mbconv5,width=32|skip||op=conv,expand=6',
            graph: {
              ops: ['input', 'op=mbconv5', 'width=32', 'op=skip', 'stage', 'op=conv', 'expand=6', 'output'],
              edges: [0, 1, 2, 3, 4, 5, 6].map((i) => [i, i + 1]),
            },
            choices: [{ op: 'mbconv5', width: 32 }, { op: 'skip' }, { op: 'conv', expand: 6 }],
            params: {},
          });
          const env = lines(join(dir, 'seen-env.txt'));
          expect(env).toMatchObject({ ENAS_ARCH: LAYERS_ARCH, ENAS_TRIAL_ID: arch.trialId, ENAS_TEST_VAR: '' });
        });
      });
    }
  });
}
