import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { resolveDataDir } from '@dcl-enas/common';
import { loadNb201, nb101Fixtures, Nb201Evaluator, writeTfRecordFile } from '@dcl-enas/benchmarks';
import { nb201Space } from '@dcl-enas/spaces';

const root = resolve(__dirname, '..', '..', '..');

/** Runs the real `enas` entry point in a child process, as `npm run -s enas --` does. */
function enas(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['-r', './tools/register.cjs', 'apps/cli/src/main.ts', ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('enas search', () => {
  it('prints the SPEC JSON with the table test accuracy of the selected cell', () => {
    const r = enas(['search', '--space', 'nb201', '--dataset', 'cifar10', '--strategy', 'rea', '--queries', '100', '--seed', '3', '--json']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const out = JSON.parse(lines[0]);
    expect(Object.keys(out).sort()).toEqual(['best', 'dataset', 'queries', 'seed', 'simulatedGpuSeconds', 'space', 'strategy', 'trajectory', 'wallSeconds'].sort());
    expect(out).toMatchObject({ space: 'nb201', dataset: 'cifar10', strategy: 'rea', seed: 3, queries: 100 });
    expect(out.trajectory).toHaveLength(100);
    const evaluator = new Nb201Evaluator(loadNb201(resolveDataDir()));
    const arch = nb201Space.parse(out.best.arch);
    expect(out.best.testAcc).toBe(evaluator.query(arch, 'cifar10').testAcc);
    expect(out.best.key).toBe(nb201Space.key(arch));
    expect(out.best.valAcc).toBe(Math.max(...out.trajectory.map((p: { bestValAcc: number }) => p.bestValAcc)));
    expect(out.trajectory[99]).toEqual({ query: 100, bestValAcc: out.best.valAcc, bestTestAcc: out.best.testAcc });
  });

  it('prints a readable summary and writes --out files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'enas-out-'));
    const r = enas(['search', '--space', 'nb201', '--dataset', 'cifar100', '--strategy', 'random', '--queries', '20', '--out', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/selected\s+\|/);
    expect(r.stdout).toMatch(/test\s+\d+\.\d+ %/);
    expect(JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')).queries).toBe(20);
    expect(readFileSync(join(dir, 'trajectory.csv'), 'utf8').trim().split('\n')).toHaveLength(21);
  });
});

describe('enas bench', () => {
  it('writes a markdown table and a CSV and prints the JSON summary', () => {
    const dir = mkdtempSync(join(tmpdir(), 'enas-bench-'));
    const r = enas(['bench', '--space', 'nb201', '--dataset', 'cifar10', '--strategies', 'random,rea', '--queries', '10,20', '--seeds', '0..2', '--out', dir, '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.rows).toHaveLength(4);
    expect(out.rows[0]).toMatchObject({ strategy: 'random', queries: 10, runs: 3 });
    for (const f of ['bench.md', 'bench.csv', 'runs.jsonl']) expect(existsSync(join(dir, f))).toBe(true);
    expect(readFileSync(join(dir, 'bench.md'), 'utf8')).toContain('| strategy | queries |');
  });
});

describe('bad input', () => {
  const cases: [string, string[], RegExp, Record<string, string>?][] = [
    ['unknown space', ['search', '--space', 'nb999', '--dataset', 'cifar10'], /unknown space "nb999": use one of nb201/],
    ['unknown dataset', ['search', '--space', 'nb201', '--dataset', 'mnist'], /unknown dataset "mnist" for space nb201/],
    ['unknown strategy', ['search', '--space', 'nb201', '--dataset', 'cifar10', '--strategy', 'foo'], /unknown strategy "foo"/],
    ['bad budget', ['search', '--space', 'nb201', '--dataset', 'cifar10', '--queries', '-3'], /expected a query budget/],
    ['bad seeds', ['bench', '--space', 'nb201', '--dataset', 'cifar10', '--strategies', 'rea', '--queries', '5', '--seeds', 'x'], /expected seeds as A\.\.B/],
    ['missing data', ['search', '--space', 'nb201', '--dataset', 'cifar10'], /NAS-Bench-201 table not found .* set ENAS_DATA_DIR/, { ENAS_DATA_DIR: tmpdir() }],
    ['data dir that does not exist', ['data', 'check'], /ENAS_DATA_DIR=\/no\/such\/dir does not exist/, { ENAS_DATA_DIR: '/no/such/dir' }],
    ['bad ECG settings', ['search', '--space', 'ecg', '--dataset', 'mitdb', '--ecg', '{"train":{"epochs":0}}'], /^enas: --ecg: train\.epochs: /],
    ['ECG records that cannot be split', ['search', '--space', 'ecg', '--dataset', 'mitdb', '--ecg', '{"records":[201,207,232]}'], /--ecg records: 2 DS1 record\(s\) leave none to train on/],
    ['ECG settings on another space', ['search', '--space', 'nb201', '--dataset', 'cifar10', '--ecg', '{}'], /--ecg: these settings are for space ecg only/],
  ];
  it.each(cases)('%s: one clear line on stderr and a non-zero exit', (_name, args, message, env) => {
    const r = enas(args, env);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});

describe('enas data check', () => {
  it('reports each data set', () => {
    const r = enas(['data', 'check', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.checks.map((c: { name: string }) => c.name)).toEqual(['nb201', 'nb101', 'nb101', 'nb101', 'nb101', 'mitdb']);
    expect(out.checks.every((c: { ok: boolean }) => c.ok)).toBe(true);
  });
});

describe('enas search on NAS-Bench-101', () => {
  it('runs end to end on a release file in the official format (written from the shipped rows)', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'enas-nb101-'));
    mkdirSync(join(dataDir, 'nasbench101'));
    const cells = nb101Fixtures.shippedCells();
    writeTfRecordFile(join(dataDir, 'nasbench101', 'nasbench_only108.tfrecord'), nb101Fixtures.releaseRecords(cells));
    const r = enas(['search', '--space', 'nb101', '--dataset', 'cifar10', '--strategy', 'rea', '--queries', '40', '--seed', '1', '--json'], {
      ENAS_DATA_DIR: dataDir,
      XDG_CACHE_HOME: join(dataDir, 'cache'),
    });
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout);
    expect(out.trajectory).toHaveLength(40);
    const best = cells.find((c) => c.hash === out.best.key)!;
    expect(best).toBeDefined();
    expect(out.best.valAcc).toBeCloseTo(best.runs.reduce((s, v) => s + v, 0) / best.runs.length, 6);
  });

  it('without the full release, says what is missing and how to get it', () => {
    const r = enas(['search', '--space', 'nb101', '--dataset', 'cifar10']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/needs the full NAS-Bench-101 release.*download nasbench_only108\.tfrecord/);
  });
});
