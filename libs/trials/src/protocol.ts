import { UserError } from '@dcl-enas/common';
import { namedGraph, type NamedGraph, type SearchSpace } from '@dcl-enas/spaces';

/**
 * Trial protocol v1 (docs/trials.md): what a trial command receives and how it reports. This
 * file holds the pure parts (arch.json, the report lines, checking a result); run-trial.ts runs
 * the command.
 */
export const TRIAL_PROTOCOL_VERSION = 1;

/** Files of the trial directory that belong to the runner. */
export const TRIAL_FILES = {
  arch: 'arch.json',
  result: 'result.json',
  stdout: 'stdout.log',
  stderr: 'stderr.log',
} as const;

/** Line prefixes on the trial's stdout (each followed by a space, or any blank, then one JSON object). */
export const RESULT_LINE_PREFIX = 'enas-result';
export const METRIC_LINE_PREFIX = 'enas-metric';

/** Environment variables the runner sets; a spec's `env` may not set them. */
export const TRIAL_ENV = {
  dir: 'ENAS_TRIAL_DIR',
  trialId: 'ENAS_TRIAL_ID',
  experimentId: 'ENAS_EXPERIMENT_ID',
  arch: 'ENAS_ARCH',
  gpu: 'CUDA_VISIBLE_DEVICES',
} as const;

/** Largest result.json, and longest protocol line on stdout, the runner reads (1 MiB). */
export const MAX_RESULT_BYTES = 1 << 20;

/** What a trial is asked to train: the architecture in the space's text form, and fixed parameters. */
export interface TrialArchInput {
  readonly trialId: string;
  readonly experimentId: string;
  /** The architecture as text (`space.format`, or anything `space.parse` accepts). */
  readonly arch: string;
  /** Fixed parameters from the experiment spec, passed through to arch.json unchanged. */
  readonly params?: Record<string, unknown>;
}

/** Content of arch.json (trial protocol v1); a space's `describe` adds `choices` (layers) or `cellEdges` (cell). */
export interface ArchJson {
  readonly protocol: typeof TRIAL_PROTOCOL_VERSION;
  readonly trialId: string;
  readonly experimentId: string;
  /** `space.format(arch)`: the canonical text form. */
  readonly arch: string;
  /** `space.key(arch)`: equal for architectures that compute the same function. */
  readonly key: string;
  /** The node-op DAG the predictor sees: op names of the nodes (no padding) and the edges between them. */
  readonly graph: NamedGraph;
  readonly params: Record<string, unknown>;
  readonly [field: string]: unknown;
}

const RESERVED_FIELDS = new Set(['protocol', 'trialId', 'experimentId', 'arch', 'key', 'graph', 'params']);

/** The architecture of `input`, parsed and checked against `space` (a UserError naming the problem). */
export function parseTrialArch(space: SearchSpace<unknown>, input: TrialArchInput): unknown {
  if (typeof input.trialId !== 'string' || input.trialId === '') throw new UserError('trial: trialId must be a non-empty string');
  if (typeof input.experimentId !== 'string' || input.experimentId === '') throw new UserError(`trial ${input.trialId}: experimentId must be a non-empty string`);
  const arch = space.parse(input.arch);
  const invalid = space.invalidReason(arch);
  if (invalid !== null) throw new UserError(`trial ${input.trialId}: invalid ${space.name} architecture ${JSON.stringify(input.arch)}: ${invalid}`);
  return arch;
}

/** What arch.json holds for `input` in `space` (throws a UserError when the architecture does not parse or is invalid). */
export function archJson(space: SearchSpace<unknown>, input: TrialArchInput): ArchJson {
  const arch = parseTrialArch(space, input);
  const params = input.params ?? {};
  if (params === null || typeof params !== 'object' || Array.isArray(params)) throw new UserError(`trial ${input.trialId}: params must be an object`);
  let plainParams: Record<string, unknown>;
  try {
    plainParams = JSON.parse(JSON.stringify(params)) as Record<string, unknown>;
  } catch (e) {
    throw new UserError(`trial ${input.trialId}: params are not JSON: ${(e as Error).message}`);
  }
  const described = space.describe ? space.describe(arch) : {};
  const extra = Object.entries(described).filter(([field]) => !RESERVED_FIELDS.has(field));
  return {
    protocol: TRIAL_PROTOCOL_VERSION,
    trialId: input.trialId,
    experimentId: input.experimentId,
    arch: space.format(arch),
    key: space.key(arch),
    graph: namedGraph(space, arch),
    ...Object.fromEntries(extra),
    params: plainParams,
  };
}

/* ------------------------------------------------------------------------------------------ */
/* Reports                                                                                     */
/* ------------------------------------------------------------------------------------------ */

const NON_FINITE = '\u0000enas-non-finite:';
const NON_FINITE_VALUES: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };

/**
 * JSON.parse that also takes the bare tokens NaN, Infinity and -Infinity as values (Python's
 * json.dumps writes them), so that a NaN metric is reported as such rather than as a syntax error.
 */
export function parseReportJson(text: string): unknown {
  let out = '';
  let from = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') {
      inString = true;
      continue;
    }
    if (ch !== 'N' && ch !== 'I' && ch !== '-') continue;
    const token = text.startsWith('NaN', i) ? 'NaN' : text.startsWith('Infinity', i) ? 'Infinity' : text.startsWith('-Infinity', i) ? '-Infinity' : null;
    if (token === null) continue;
    out += `${text.slice(from, i)}"\\u0000enas-non-finite:${token}"`;
    i += token.length - 1;
    from = i + 1;
  }
  const parsed: unknown = JSON.parse(from === 0 ? text : out + text.slice(from));
  return restoreNonFinite(parsed);
}

function restoreNonFinite(v: unknown): unknown {
  if (typeof v === 'string' && v.startsWith(NON_FINITE)) return NON_FINITE_VALUES[v.slice(NON_FINITE.length)];
  if (Array.isArray(v)) return v.map(restoreNonFinite);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, restoreNonFinite(x)]));
  return v;
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return 'a string';
  if (typeof v === 'boolean') return `${v}`;
  return typeof v;
}

/** One-line text: control characters as spaces, cut to `max` characters. */
export function oneLine(text: string, max = 300): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 3)}...` : flat;
}

export type ResultCheck = { readonly ok: true; readonly metrics: Readonly<Record<string, number>> } | { readonly ok: false; readonly reason: string };

/**
 * Checks a trial's result text: one flat JSON object of finite numbers holding `metric`.
 * `source` names where it came from in the reason ("result.json", "the enas-result line on stdout").
 */
export function checkResultText(text: string, metric: string, source: string): ResultCheck {
  let value: unknown;
  try {
    value = parseReportJson(text.trim());
  } catch (e) {
    return { ok: false, reason: oneLine(`malformed JSON in ${source}: ${(e as Error).message}`) };
  }
  return checkResultValue(value, metric, source);
}

/** Checks a parsed result (see checkResultText). */
export function checkResultValue(value: unknown, metric: string, source: string): ResultCheck {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { ok: false, reason: `${source} is not a JSON object of metrics (got ${kindOf(value)})` };
  const entries = Object.entries(value);
  const bad: string[] = [];
  for (const [name, v] of entries) {
    if (typeof v !== 'number') bad.push(`result value ${JSON.stringify(name)} in ${source} is ${kindOf(v)}, not a number`);
    else if (!Number.isFinite(v)) bad.push(`result value ${JSON.stringify(name)} in ${source} is ${v}, not a finite number`);
  }
  if (bad.length > 0) return { ok: false, reason: oneLine(bad.length === 1 ? bad[0] : `${bad[0]} (and ${bad.length - 1} more)`) };
  if (!entries.some(([name]) => name === metric)) {
    const names = entries.map(([name]) => name);
    const has = names.length === 0 ? 'it is empty' : `it has ${names.slice(0, 10).join(', ')}${names.length > 10 ? ', ...' : ''}`;
    return { ok: false, reason: oneLine(`${source} has no ${JSON.stringify(metric)} (the objective metric); ${has}`) };
  }
  return { ok: true, metrics: Object.fromEntries(entries) as Record<string, number> };
}

/** An intermediate value: `enas-metric {"step": N, "<metric>": v, ...}`. */
export interface IntermediateValue {
  readonly step: number;
  readonly values: Readonly<Record<string, number>>;
}

/**
 * The JSON of an `enas-metric` line as an intermediate value, or null when it is not one: it
 * must be an object with a finite numeric `step`; of its other keys the finite numbers are kept
 * (a NaN loss is left out, not fatal).
 */
export function parseMetricJson(text: string): IntermediateValue | null {
  let value: unknown;
  try {
    value = parseReportJson(text.trim());
  } catch {
    return null;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const step = (value as Record<string, unknown>)['step'];
  if (typeof step !== 'number' || !Number.isFinite(step)) return null;
  const values = Object.entries(value).filter(([k, v]) => k !== 'step' && typeof v === 'number' && Number.isFinite(v));
  return { step, values: Object.fromEntries(values) as Record<string, number> };
}

/** The JSON text after `prefix` on a protocol line, or null when `line` is not such a line. */
export function protocolPayload(line: string, prefix: string): string | null {
  if (!line.startsWith(prefix)) return null;
  const rest = line.slice(prefix.length);
  if (rest === '' || !/^[ \t]/.test(rest)) return null;
  return rest;
}

/** The JSON text of the last `enas-result` line in a trial's stdout, or null when it printed none. */
export function lastResultLine(stdout: string): string | null {
  let found: string | null = null;
  for (const line of stdout.split('\n')) {
    const payload = protocolPayload(line.replace(/\r$/, ''), RESULT_LINE_PREFIX);
    if (payload !== null) found = payload;
  }
  return found;
}

/**
 * The result of a trial command that exited 0: result.json when it was written, else the last
 * `enas-result` line on stdout, else a failure saying how to report. One definition for every
 * runner (a local process, a Kubernetes Job's pod read back).
 */
export function finishedTrialResult(resultFile: string | null, resultLine: string | null, metric: string): ResultCheck {
  if (resultFile !== null) return checkResultText(resultFile, metric, TRIAL_FILES.result);
  if (resultLine !== null) return checkResultText(resultLine, metric, `the ${RESULT_LINE_PREFIX} line on stdout`);
  return { ok: false, reason: `exited with code 0 but reported no result: write ${TRIAL_FILES.result} in $${TRIAL_ENV.dir} or print a line "${RESULT_LINE_PREFIX} {...}"` };
}
