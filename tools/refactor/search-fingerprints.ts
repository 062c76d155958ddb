/**
 * Fingerprints of `enas search --json` for every built-in space, dataset and strategy at seeds
 * 0..2: the JSON minus what depends on the machine (fingerprint), hashed. Run
 * it before and after a change to the search code; any difference names the run that changed.
 *
 *   npm run -s tool -- tools/refactor/search-fingerprints.ts OUT.json [--root DIR]
 *
 * `--root`: the checkout whose CLI runs (default this one), so a frozen worktree of an older
 * commit can be fingerprinted with the same tool. ECG runs train for real on a five-record
 * subset with one short epoch (the quick setting of docs/ecg-space.md), 6 queries each.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

const QUICK_ECG = '{"records":[201,207,208,223,232],"holdout":{"count":1},"train":{"epochs":1,"beatsPerClass":48,"batchSize":48,"holdoutNormalCap":100}}';
const STRATEGIES = ['random', 'rea', 'dcl-enas', 'dcl-enas-no-pretrain', 'dcl-enas-regression', 'dcl-pool'];
const SEEDS = [0, 1, 2];

export interface FingerprintCase {
  readonly space: string;
  readonly dataset: string;
  readonly strategy: string;
  readonly seed: number;
  readonly queries: number;
  readonly extra: readonly string[];
}

export function fingerprintCases(): FingerprintCase[] {
  const cases: FingerprintCase[] = [];
  for (const dataset of ['cifar10', 'cifar100', 'imagenet16-120'])
    for (const strategy of STRATEGIES) for (const seed of SEEDS) cases.push({ space: 'nb201', dataset, strategy, seed, queries: 100, extra: [] });
  for (const strategy of STRATEGIES) for (const seed of SEEDS) cases.push({ space: 'ecg', dataset: 'mitdb', strategy, seed, queries: 6, extra: ['--ecg', QUICK_ECG] });
  return cases;
}

export const caseId = (c: FingerprintCase): string => `${c.space}/${c.dataset}/${c.strategy}/seed${c.seed}/q${c.queries}`;

/**
 * sha256 of the search's JSON, with its keys in the order the CLI wrote them, without what the
 * machine decides: wallSeconds, and on a space that trains for real (ecg) simulatedGpuSeconds,
 * which is then the measured training time. Everything the search decided stays in.
 */
export function fingerprint(json: string): string {
  const { wallSeconds: _wall, ...rest } = JSON.parse(json) as Record<string, unknown>;
  if (rest['space'] === 'ecg') delete rest['simulatedGpuSeconds'];
  return createHash('sha256').update(JSON.stringify(rest)).digest('hex');
}

function main(): void {
  const out = process.argv[2];
  if (!out) throw new Error('usage: search-fingerprints.ts OUT.json [--root DIR]');
  const rootAt = process.argv.indexOf('--root');
  const root = rootAt > 0 ? resolve(process.argv[rootAt + 1]) : process.cwd();
  // resumable: cases already in OUT are kept
  const results: Record<string, { fingerprint: string; best: unknown }> = existsSync(out) ? (JSON.parse(readFileSync(out, 'utf8')) as { results: Record<string, { fingerprint: string; best: unknown }> }).results : {};
  const started = Date.now();
  for (const c of fingerprintCases()) {
    if (results[caseId(c)]) continue;
    const args = ['-r', './tools/register.cjs', 'apps/cli/src/main.ts', 'search', '--space', c.space, '--dataset', c.dataset, '--strategy', c.strategy, '--seed', String(c.seed), '--queries', String(c.queries), '--json', ...c.extra];
    // the child's own tsconfig paths (register.cjs keeps an inherited SWC_NODE_PROJECT, which would run this checkout's libraries)
    const { SWC_NODE_PROJECT: _own, ...env } = process.env;
    const run = spawnSync(process.execPath, args, { cwd: root, env, encoding: 'utf8', maxBuffer: 64 << 20 });
    if (run.status !== 0) throw new Error(`${caseId(c)} exited ${run.status}: ${run.stderr.trim().split('\n').pop()}`);
    results[caseId(c)] = { fingerprint: fingerprint(run.stdout), best: (JSON.parse(run.stdout) as { best: unknown }).best };
    process.stderr.write(`${caseId(c)} ${results[caseId(c)].fingerprint.slice(0, 12)} (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
    writeFileSync(out, JSON.stringify({ root, at: new Date().toISOString(), results }, null, 2) + '\n');
  }
}

if (require.main === module) main();
