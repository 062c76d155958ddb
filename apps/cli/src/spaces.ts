import { existsSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { UserError } from '@dcl-enas/common';
import type { OpenedBenchmark } from '@dcl-enas/benchmarks';
import { ContractError, EcgSettings, LIMITS, decode } from '@dcl-enas/contracts';
import { checkEcgSettings, problemFor, type Problem } from '@dcl-enas/experiments';
import { readInputFile } from './io';

/**
 * The problem of `--space` and its evaluator for `--dataset` (a table, or the ECG beat set and
 * TensorFlow.js, loaded only when asked for). `ecg`: the ECG settings (records, hold-out,
 * per-candidate training budget), as a spec's `ecg` field.
 */
export async function openProblem(space: string, dataset: string, dataDir: string, ecg?: EcgSettings): Promise<{ problem: Problem; opened: OpenedBenchmark }> {
  const problem = problemFor(space);
  if (ecg && problem.settings !== 'ecg') throw new UserError(`--ecg: these settings are for space ecg only: remove --ecg, or use --space ecg`);
  const opened = await problem.open(dataset, { dataDir, ...(ecg ? { ecg } : {}) });
  return { problem, opened };
}

/** `--ecg`: a JSON object, or a YAML/JSON file holding one; checked against the spec's `ecg` schema. */
export function ecgSettingsOption(value: string): EcgSettings {
  const inline = value.trim().startsWith('{');
  if (!inline && !existsSync(value)) throw new UserError(`--ecg: "${value}" is neither a JSON object nor a file: give e.g. '{"train":{"epochs":3}}' or a YAML/JSON file`);
  const text = inline ? value : readInputFile(value, '--ecg', LIMITS.specBytes, `give e.g. '{"train":{"epochs":3}}' or a YAML/JSON file`);
  let raw: unknown;
  try {
    raw = inline ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new UserError(`--ecg: not valid JSON or YAML (${(e as Error).message.split('\n')[0]}): give e.g. '{"train":{"epochs":3}}' or a file`);
  }
  try {
    const settings = decode(EcgSettings, raw, '--ecg');
    checkEcgSettings(settings, '--ecg ');
    return settings;
  } catch (e) {
    if (e instanceof ContractError) throw new UserError(e.message);
    throw e;
  }
}
