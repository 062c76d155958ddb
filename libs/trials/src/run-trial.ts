import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UserError, writeFileAtomicSync } from '@dcl-enas/common';
import type { SearchSpace } from '@dcl-enas/spaces';
import { CappedLog, DEFAULT_MAX_LOG_BYTES, LineSplitter } from './log-capture';
import { endProcessGroup, trackGroup, untrackGroup } from './process-group';
import {
  MAX_RESULT_BYTES,
  METRIC_LINE_PREFIX,
  RESULT_LINE_PREFIX,
  TRIAL_ENV,
  TRIAL_FILES,
  archJson,
  finishedTrialResult,
  oneLine,
  parseMetricJson,
  protocolPayload,
  type IntermediateValue,
  type TrialArchInput,
} from './protocol';

/** Default SIGTERM -> SIGKILL grace period. */
export const DEFAULT_KILL_GRACE_MS = 5000;
/** Lines of output an outcome keeps (logTail). */
export const LOG_TAIL_LINES = 20;
/** Intermediate values an outcome keeps (the first ones); later ones still go to onIntermediate. */
export const MAX_KEPT_INTERMEDIATE = 10_000;

export interface RunTrialOptions {
  readonly space: SearchSpace<unknown>;
  /** The trial directory (ENAS_TRIAL_DIR): created fresh; it must not exist or be empty. */
  readonly dir: string;
  /** argv of the trial command, run without a shell. */
  readonly command: readonly string[];
  /** Working directory of the command; default process.cwd(). */
  readonly cwd?: string;
  /** The spec's environment for the trial, on top of the runner's own. */
  readonly env?: Readonly<Record<string, string>>;
  /** CUDA_VISIBLE_DEVICES for the trial, when a GPU is assigned. */
  readonly gpu?: string;
  /** Wall-clock limit; past it the process group is ended (status timed-out). */
  readonly timeoutMs?: number;
  /** SIGTERM -> SIGKILL grace period, default 5000. */
  readonly killGraceMs?: number;
  readonly objective: { readonly metric: string };
  /** Cap of stdout.log and stderr.log, each; default 10 MiB. */
  readonly maxLogBytes?: number;
  /** Each intermediate value as it arrives; return 'stop' to early-stop the trial. */
  readonly onIntermediate?: (step: number, values: Readonly<Record<string, number>>) => 'continue' | 'stop';
  /** Abort = end the trial (status failed, reason 'aborted'). */
  readonly signal?: AbortSignal;
}

export type TrialStatus = 'succeeded' | 'failed' | 'timed-out' | 'early-stopped';

export type TrialRunOutcome = {
  readonly status: TrialStatus;
  /** The reported metrics when succeeded; `{[metric]: last intermediate value}` when early-stopped (if any); else empty. */
  readonly metrics: Readonly<Record<string, number>>;
  readonly intermediate: readonly IntermediateValue[];
  /** One line naming what went wrong; null when succeeded. */
  readonly reason: string | null;
  /** The last lines of stderr (or of stdout when stderr has none), at most LOG_TAIL_LINES. */
  readonly logTail: readonly string[];
  readonly seconds: number;
};

/** Anything that runs a trial the way runTrialCommand does (a local process, a cluster trainer, a Kubernetes Job). */
export type TrialRunner = (input: TrialArchInput, options: RunTrialOptions) => Promise<TrialRunOutcome>;

const PROTECTED_ENV = new Set<string>([TRIAL_ENV.dir, TRIAL_ENV.trialId, TRIAL_ENV.experimentId, TRIAL_ENV.arch]);

function checkOptions(options: RunTrialOptions): void {
  const { command, objective } = options;
  if (!Array.isArray(command) || command.length === 0 || command.some((a) => typeof a !== 'string') || command[0] === '') throw new UserError('trial command must be a non-empty list of strings (argv, no shell)');
  if (command.some((a) => a.includes('\0'))) throw new UserError('trial command: an argument holds a NUL character');
  if (!objective || typeof objective.metric !== 'string' || objective.metric === '') throw new UserError('trial objective.metric must be a non-empty string');
  const positive = (name: string, v: number | undefined, zero: boolean) => {
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (!zero && v === 0))) throw new UserError(`trial ${name} must be a ${zero ? 'non-negative' : 'positive'} number of ${name === 'maxLogBytes' ? 'bytes' : 'milliseconds'}, got ${v}`);
  };
  positive('timeoutMs', options.timeoutMs, false);
  positive('killGraceMs', options.killGraceMs, true);
  positive('maxLogBytes', options.maxLogBytes, true);
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (name === '' || name.includes('=') || name.includes('\0')) throw new UserError(`trial env: ${JSON.stringify(name)} is not a valid variable name`);
    if (typeof value !== 'string' || value.includes('\0')) throw new UserError(`trial env ${name}: the value must be a string without NUL characters`);
    if (PROTECTED_ENV.has(name)) throw new UserError(`trial env ${name}: set by the runner (trial protocol), it cannot be given`);
  }
  if (options.gpu !== undefined && (typeof options.gpu !== 'string' || options.gpu.includes('\0'))) throw new UserError('trial gpu must be a string (CUDA_VISIBLE_DEVICES)');
}

/** Creates the trial directory; a UserError when it exists and is not an empty directory. */
function prepareDir(dir: string): void {
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new UserError(`trial directory ${dir} exists and is not a directory`);
    if (readdirSync(dir).length > 0) throw new UserError(`trial directory ${dir} is not empty: every trial needs a fresh directory`);
    return;
  }
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new UserError(`cannot create trial directory ${dir}: ${(e as Error).message}`);
  }
}

function trialEnv(input: TrialArchInput, options: RunTrialOptions, dir: string, arch: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHONUNBUFFERED: '1', ...options.env };
  env[TRIAL_ENV.dir] = dir;
  env[TRIAL_ENV.trialId] = input.trialId;
  env[TRIAL_ENV.experimentId] = input.experimentId;
  env[TRIAL_ENV.arch] = arch;
  if (options.gpu !== undefined) env[TRIAL_ENV.gpu] = options.gpu;
  return env;
}

function seconds(since: number): number {
  return Math.round(performance.now() - since) / 1000;
}

function durationText(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(3).replace(/0+$/, '')} s`;
}

/** Why the runner ended the trial itself (the first cause wins). */
type KillCause = { readonly kind: 'timed-out' } | { readonly kind: 'aborted' } | { readonly kind: 'early-stopped'; readonly step: number } | { readonly kind: 'callback-failed'; readonly message: string };

/**
 * Runs one trial command (trial protocol v1, docs/trials.md): creates `dir` with arch.json, runs
 * the command in its own process group with the protocol's environment, captures stdout.log and
 * stderr.log (capped), reads intermediate values as they arrive and the result at the end.
 *
 * Rejects (UserError) only for what the caller got wrong: options, an architecture the space does
 * not parse, a directory that is not fresh. Everything the trial does is an outcome. When the
 * promise settles no process of the trial's group is left.
 */
export async function runTrialCommand(input: TrialArchInput, options: RunTrialOptions): Promise<TrialRunOutcome> {
  checkOptions(options);
  const content = archJson(options.space, input);
  const dir = resolve(options.dir);
  prepareDir(dir);
  writeFileAtomicSync(join(dir, TRIAL_FILES.arch), `${JSON.stringify(content, null, 2)}\n`);
  const started = performance.now();
  if (options.signal?.aborted) return { status: 'failed', metrics: {}, intermediate: [], reason: 'aborted', logTail: [], seconds: 0 };

  const metric = options.objective.metric;
  const graceMs = options.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
  const maxLogBytes = options.maxLogBytes ?? DEFAULT_MAX_LOG_BYTES;
  const stdoutLog = new CappedLog(join(dir, TRIAL_FILES.stdout), maxLogBytes);
  const stderrLog = new CappedLog(join(dir, TRIAL_FILES.stderr), maxLogBytes);
  const intermediate: IntermediateValue[] = [];
  /** The last intermediate value of the objective metric: an early-stopped trial's partial value. */
  let lastObjective: number | undefined;
  let resultLine: string | null = null;
  let killCause: KillCause | null = null;
  let exited = false;
  let ending: Promise<void> = Promise.resolve();
  let child: ChildProcess | null = null;

  const isProtocolLine = (line: string) => protocolPayload(line, METRIC_LINE_PREFIX) !== null || protocolPayload(line, RESULT_LINE_PREFIX) !== null;

  const endGroup = () => {
    const pid = child?.pid;
    if (pid === undefined) return;
    ending = ending.then(() => endProcessGroup(pid, graceMs));
  };

  const kill = (cause: KillCause) => {
    if (killCause !== null || exited) return;
    killCause = cause;
    endGroup();
  };

  const onStdoutLine = (line: string, overlong: boolean) => {
    if (overlong || killCause !== null) return;
    const result = protocolPayload(line, RESULT_LINE_PREFIX);
    if (result !== null) {
      resultLine = result;
      return;
    }
    const payload = protocolPayload(line, METRIC_LINE_PREFIX);
    if (payload === null) return;
    const value = parseMetricJson(payload);
    if (value === null) return;
    if (intermediate.length < MAX_KEPT_INTERMEDIATE) intermediate.push(value);
    if (value.values[metric] !== undefined) lastObjective = value.values[metric];
    if (!options.onIntermediate) return;
    let decision: 'continue' | 'stop';
    try {
      decision = options.onIntermediate(value.step, value.values);
    } catch (e) {
      kill({ kind: 'callback-failed', message: (e as Error)?.message ?? String(e) });
      return;
    }
    if (decision === 'stop') kill({ kind: 'early-stopped', step: value.step });
  };

  const stdoutLines = new LineSplitter(MAX_RESULT_BYTES, LOG_TAIL_LINES, onStdoutLine, isProtocolLine);
  const stderrLines = new LineSplitter(MAX_RESULT_BYTES, LOG_TAIL_LINES);

  const { code, signal, spawnError } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; spawnError: Error | null }>((done) => {
    let spawnError: Error | null = null;
    try {
      child = spawn(options.command[0], options.command.slice(1), {
        cwd: options.cwd ?? process.cwd(),
        env: trialEnv(input, options, dir, content.arch),
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (e) {
      done({ code: null, signal: null, spawnError: e as Error });
      return;
    }
    const proc = child;
    let timer: NodeJS.Timeout | null = null;
    const onAbort = () => kill({ kind: 'aborted' });
    proc.stdout!.on('data', (chunk: Buffer) => {
      stdoutLog.write(chunk);
      stdoutLines.push(chunk);
    });
    proc.stderr!.on('data', (chunk: Buffer) => {
      stderrLog.write(chunk);
      stderrLines.push(chunk);
    });
    proc.on('error', (e) => {
      spawnError ??= e;
    });
    proc.on('exit', () => {
      exited = true;
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      // Whatever the leader left behind (background processes) goes with it.
      endGroup();
    });
    proc.on('close', (code, sig) => {
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      done({ code, signal: sig, spawnError: proc.pid === undefined ? spawnError : null });
    });
    if (proc.pid === undefined) return; // 'error' and 'close' follow
    trackGroup(proc.pid);
    if (options.timeoutMs !== undefined) timer = setTimeout(() => kill({ kind: 'timed-out' }), options.timeoutMs);
    options.signal?.addEventListener('abort', onAbort, { once: true });
  });

  // Children that closed their output can outlive the stdio streams: end the group for sure.
  endGroup();
  await ending;
  const pid = (child as ChildProcess | null)?.pid;
  if (pid !== undefined) untrackGroup(pid);
  stdoutLines.end();
  stderrLines.end();
  stdoutLog.close();
  stderrLog.close();

  const errTail = stderrLines.lastLines();
  const logTail = errTail.length > 0 ? errTail : stdoutLines.lastLines();
  const lastErr = errTail.length > 0 ? `: ${errTail[errTail.length - 1]}` : '';
  const outcome = (status: TrialStatus, reason: string | null, metrics: Readonly<Record<string, number>> = {}): TrialRunOutcome => ({
    status,
    metrics,
    intermediate,
    reason: reason === null ? null : oneLine(reason),
    logTail,
    seconds: seconds(started),
  });

  if (spawnError) {
    const errno = (spawnError as NodeJS.ErrnoException).code;
    const why = errno === 'ENOENT' ? 'command not found (or the working directory does not exist)' : errno === 'EACCES' ? 'permission denied (not executable)' : spawnError.message;
    return outcome('failed', `cannot start ${JSON.stringify(options.command[0])}: ${why}${errno ? ` (${errno})` : ''}`);
  }
  const cause = killCause as KillCause | null;
  if (cause !== null) {
    switch (cause.kind) {
      case 'aborted':
        return outcome('failed', 'aborted');
      case 'callback-failed':
        return outcome('failed', `onIntermediate failed: ${cause.message}`);
      case 'timed-out':
        return outcome('timed-out', `timed out after ${durationText(options.timeoutMs!)} (process group killed)`);
      case 'early-stopped': {
        const partial = lastObjective as number | undefined;
        return outcome('early-stopped', `stopped early at step ${cause.step}`, partial === undefined ? {} : { [metric]: partial });
      }
    }
  }
  if (signal !== null) return outcome('failed', `killed by signal ${signal}${lastErr}`);
  if (code !== 0) return outcome('failed', `exited with code ${code}${lastErr}`);

  const resultPath = join(dir, TRIAL_FILES.result);
  let resultFile: string | null = null;
  if (existsSync(resultPath)) {
    try {
      const size = statSync(resultPath).size;
      if (size > MAX_RESULT_BYTES) return outcome('failed', `${TRIAL_FILES.result} is ${size} bytes, more than ${MAX_RESULT_BYTES}: report one flat object of metrics`);
      resultFile = readFileSync(resultPath, 'utf8');
    } catch (e) {
      return outcome('failed', `cannot read ${TRIAL_FILES.result}: ${(e as Error).message}`);
    }
  }
  const check = finishedTrialResult(resultFile, resultLine, metric);
  return check.ok ? outcome('succeeded', null, check.metrics) : outcome('failed', check.reason);
}
