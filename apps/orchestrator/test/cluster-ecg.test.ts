import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng, resolveDataDir } from '@dcl-enas/common';
import type { EcgSettings, ExperimentEvent } from '@dcl-enas/contracts';
import { EcgCvEvaluator } from '@dcl-enas/ecg-model';
import { problemFor } from '@dcl-enas/experiments';
import { createStrategy, searchWithEvaluator, type EvaluatorSearchOutcome } from '@dcl-enas/search';
import { Cluster, ROOT, embedded } from './cluster-harness';

const run = promisify(execFile);

/**
 * A tiny ECG search (the embedded tiny test's settings, libs/ecg-model ecg-search.test.ts): five
 * records, one hold-out record, one short epoch per candidate, three random candidates.
 */
const ECG: EcgSettings = {
  records: [201, 207, 208, 223, 232],
  holdout: { count: 1, seed: 0 },
  train: { epochs: 1, beatsPerClass: 48, batchSize: 48, holdoutNormalCap: 100 },
};
const SPEC = { space: 'ecg', dataset: 'mitdb', strategy: 'random', seed: 2, queries: 3, batchSize: 1 };

describe('ECG in cluster mode: the trainer trains candidates for real, as `enas search --space ecg` does', () => {
  let cluster: Cluster;
  const cacheDir = mkdtempSync(join(tmpdir(), 'enas-ecg-cache-'));

  beforeAll(async () => {
    cluster = await Cluster.start();
    // Training blocks the trainer's event loop (no keep-alive meanwhile): the ack wait must exceed a candidate.
    await Promise.all([cluster.serve('orchestrator'), cluster.serve('trainer', { ENAS_TRIAL_ACK_WAIT_MS: '120000', ENAS_CACHE_DIR: cacheDir })]);
  });
  afterAll(async () => {
    await cluster?.dispose();
    rmSync(cacheDir, { recursive: true, force: true });
  });

  /** Waits for the experiment and checks it against the in-process run: selected cell, trajectory, and trial by trial hold-out macro-F1 (the search signal) and DS2 (only where the candidate improved). */
  const sameAsEmbedded = async (id: string, local: EvaluatorSearchOutcome) => {
    const done = await cluster.waitFor(id, (x) => x.status !== 'running' && x.status !== 'queued', 120_000);
    expect(done.status).toBe('completed');
    expect(done.best).toEqual(local.best);
    expect(done.trajectory).toEqual(local.trajectory);
    const results = (await cluster.events(id)).filter((e): e is Extract<ExperimentEvent, { type: 'result' }> => e.type === 'result').sort((a, b) => a.index - b.index);
    expect(results.map((r) => [r.key, r.outcome?.valAcc, r.outcome?.testAcc])).toEqual(local.history.map((h) => [h.key, h.valAcc, h.testAcc]));
    return { done, results };
  };

  it('gives the same selected cell and figures as the embedded search with the same seed and settings', async () => {
    const id = await cluster.submit({ ...SPEC, ecg: ECG });
    // The CLI's embedded search with the same settings (`--ecg`), and the same loop in this process (per-trial figures).
    const cli = run(process.execPath, ['-r', './tools/register.cjs', 'apps/cli/src/main.ts', 'search', '--space', 'ecg', '--dataset', 'mitdb', '--strategy', 'random', '--queries', '3', '--seed', '2', '--ecg', JSON.stringify(ECG), '--json'], { cwd: ROOT });
    const local = await embedded({ ...SPEC, ecg: ECG });

    const { done, results } = await sameAsEmbedded(id, local);
    expect(results.every((r) => r.outcome!.trainSeconds! > 0)).toBe(true);
    // Seed 2: the first candidate stays the best, so the later two are not scored on DS2 (the request carried the best so far).
    expect(results.map((r) => r.outcome!.testAcc === null)).toEqual([false, true, true]);
    expect(local.best.testAcc).not.toBeNull();

    const fromCli = JSON.parse((await cli).stdout) as { best: { arch: string; valAcc: number; testAcc: number | null } };
    expect(fromCli.best).toMatchObject(done.best!);
    // The trainer built the beat set into its configured cache folder (ENAS_CACHE_DIR, a volume in a pod).
    expect(readdirSync(cacheDir).some((f) => /^mitdb-beats-.*\.bin$/.test(f))).toBe(true);
    expect(existsSync(cacheDir)).toBe(true);
  });

  it('runs the cross-validation protocol (folds 2, square-root quotas) trial by trial as the embedded search does', async () => {
    const cv: EcgSettings = { ...ECG, folds: 2, train: { ...ECG.train, balance: 'sqrt' } };
    const id = await cluster.submit({ ...SPEC, ecg: cv });
    const cli = run(process.execPath, ['-r', './tools/register.cjs', 'apps/cli/src/main.ts', 'search', '--space', 'ecg', '--dataset', 'mitdb', '--strategy', 'random', '--queries', '3', '--seed', '2', '--ecg', JSON.stringify(cv), '--json'], { cwd: ROOT });
    // In process: the evaluator of these settings.
    const { evaluator } = await problemFor('ecg').open('mitdb', { dataDir: resolveDataDir(), ecg: cv });
    expect(evaluator).toBeInstanceOf(EcgCvEvaluator);
    const strategy = createStrategy(SPEC.strategy, { space: evaluator.space, rng: Rng.seeded(SPEC.seed), seed: SPEC.seed, budget: SPEC.queries });
    const local = await searchWithEvaluator({ evaluator, dataset: SPEC.dataset, strategy, queries: SPEC.queries, batchSize: SPEC.batchSize });

    const { done } = await sameAsEmbedded(id, local);
    expect(local.best.testAcc).not.toBeNull();
    const fromCli = JSON.parse((await cli).stdout) as { best: unknown; trajectory: unknown };
    expect(fromCli.best).toMatchObject(done.best!);
    expect(fromCli.trajectory).toEqual(done.trajectory);
  });

  it('refuses ECG settings that cannot work, at submission, with one line naming the field', async () => {
    const refused = async (spec: Record<string, unknown>) => {
      const res = await fetch(`${cluster.api}/experiments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ apiVersion: 'enas/v1', kind: 'Experiment', ...spec }) });
      expect(res.status).toBe(400);
      return ((await res.json()) as { error: string }).error;
    };
    expect(await refused({ ...SPEC, ecg: { records: [201, 207, 208] } })).toMatch(/ecg\.records: .*DS1 record.*hold-out of 4/);
    expect(await refused({ ...SPEC, ecg: { records: [201, 207, 102, 232] } })).toMatch(/ecg\.records: 102 are not non-paced MIT-BIH records/);
    expect(await refused({ ...SPEC, ecg: { train: { epochs: 0 } } })).toMatch(/ecg\.train\.epochs/);
    expect(await refused({ ...SPEC, ecg: { train: { epoch: 3 } } })).toMatch(/ecg\.train/);
    expect(await refused({ ...SPEC, space: 'nb201', dataset: 'cifar10', ecg: { train: { epochs: 1 } } })).toMatch(/ecg: these settings are for space ecg only/);
    expect(await refused({ ...SPEC, ecg: { ...ECG, folds: 5 } })).toMatch(/ecg\.folds: 5 folds need 5 different hold-outs, but 4 DS1 records give only 4/);
    expect(await refused({ ...SPEC, ecg: { train: { balance: 'cube' } } })).toMatch(/ecg\.train\.balance/);
  });
});
