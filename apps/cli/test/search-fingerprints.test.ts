import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

/**
 * `enas search --json` gives, to the last digit, what it gave before the search loop became one
 * (ExperimentRun over an in-process log): the fingerprints were taken from commit 30a7e28 by
 * tools/refactor/search-fingerprints.ts (every built-in space, dataset and strategy at seeds
 * 0..2; docs/results/one-loop.md). This test reruns the cheap part of that table on every run:
 * random and rea on the three NB201 datasets at seeds 0..2, dcl-enas on one, and a tiny real ECG
 * search. What the machine decides is left out: wallSeconds, and the ECG search's measured training time.
 */

const root = resolve(__dirname, '..', '..', '..');
const pinned = (JSON.parse(readFileSync(resolve(__dirname, 'search-fingerprints.json'), 'utf8')) as { results: Record<string, { fingerprint: string }> }).results;
const QUICK_ECG = '{"records":[201,207,208,223,232],"holdout":{"count":1},"train":{"epochs":1,"beatsPerClass":48,"batchSize":48,"holdoutNormalCap":100}}';
const run = promisify(execFile);

/** As tools/refactor/search-fingerprints.ts: without wallSeconds, and on ecg without simulatedGpuSeconds (measured training time). */
const fingerprint = (json: string): string => {
  const { wallSeconds: _wall, ...rest } = JSON.parse(json) as Record<string, unknown>;
  if (rest['space'] === 'ecg') delete rest['simulatedGpuSeconds'];
  return createHash('sha256').update(JSON.stringify(rest)).digest('hex');
};

async function search(space: string, dataset: string, strategy: string, seed: number, queries: number, extra: string[] = []): Promise<string> {
  const args = ['-r', './tools/register.cjs', 'apps/cli/src/main.ts', 'search', '--space', space, '--dataset', dataset, '--strategy', strategy, '--seed', String(seed), '--queries', String(queries), '--json', ...extra];
  const { stdout } = await run(process.execPath, args, { cwd: root, maxBuffer: 64 << 20 });
  return fingerprint(stdout);
}

describe('enas search gives what it gave before the loop became one (pinned fingerprints)', () => {
  for (const dataset of ['cifar10', 'cifar100', 'imagenet16-120']) {
    it(`nb201 ${dataset}: random and rea at seeds 0..2`, async () => {
      const cases = ['random', 'rea'].flatMap((strategy) => [0, 1, 2].map((seed) => ({ strategy, seed })));
      const got = await Promise.all(cases.map((c) => search('nb201', dataset, c.strategy, c.seed, 100)));
      expect(got).toEqual(cases.map((c) => pinned[`nb201/${dataset}/${c.strategy}/seed${c.seed}/q100`]!.fingerprint));
    });
  }

  it('nb201 cifar10: dcl-enas at seed 0 (the predictor, stage 1 and 2, in the loop)', async () => {
    expect(await search('nb201', 'cifar10', 'dcl-enas', 0, 100)).toBe(pinned['nb201/cifar10/dcl-enas/seed0/q100']!.fingerprint);
  }, 300_000); // stage 1 pre-training when the encoder cache is cold

  it('ecg mitdb: a tiny real search (random, seed 0, 6 candidates trained)', async () => {
    expect(await search('ecg', 'mitdb', 'random', 0, 6, ['--ecg', QUICK_ECG])).toBe(pinned['ecg/mitdb/random/seed0/q6']!.fingerprint);
  }, 300_000); // building the beat set when its cache is cold
});
