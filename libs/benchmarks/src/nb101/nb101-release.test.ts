import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng, UserError } from '@dcl-enas/common';
import { nb101Space } from '@dcl-enas/spaces';
import { decodeModelMetrics, encodeModelMetrics } from './model-metrics';
import { Nb101Evaluator } from './nb101-evaluator';
import { loadNb101, NB101_DIR } from './nb101-load';
import { readNb101Subset } from './nb101-subset';
import { writeTfRecordFile } from './tfrecord-writer';
import { releaseRecords, shippedCells, shippedSubset, SYNTHETIC } from './test-fixtures';

const tmp = mkdtempSync(join(tmpdir(), 'nb101-release-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const cells = shippedCells();
const subset = readNb101Subset(shippedSubset());
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

function releaseDir(name: string, file: string, records: Buffer[]): string {
  const dataDir = join(tmp, name);
  mkdirSync(join(dataDir, NB101_DIR), { recursive: true });
  writeTfRecordFile(join(dataDir, NB101_DIR, file), records);
  return dataDir;
}

describe('ModelMetrics protobuf', () => {
  it('round-trips and keeps absent proto2 fields absent', () => {
    const metrics = { evaluation_data: [{ current_epoch: 108, validation_accuracy: 0.93, checkpoint_path: 'x' }], trainable_parameters: 2694282 };
    expect(decodeModelMetrics(encodeModelMetrics(metrics))).toEqual(metrics);
  });
});

describe('reading the official NB101 release format', () => {
  const dataDir = releaseDir('only108', 'nasbench_only108.tfrecord', releaseRecords(cells));
  const cacheDir = join(tmp, 'cache');
  const loaded = loadNb101(dataDir, { cacheDir });

  it('loads a file written from the shipped rows back with their values', () => {
    expect(loaded.full).toBe(true);
    expect(loaded.cache).toBe('written');
    const { table } = loaded;
    expect(table.source).toBe('full');
    expect(table.size).toBe(cells.length);
    expect(table.size).toBe(subset.size);
    cells.forEach(({ hash, runs }, i) => {
      const row = table.row(hash) as number;
      expect(row).toBe(i);
      expect(table.valAcc(row)).toBeCloseTo(subset.valAcc(subset.row(hash) as number), 9);
      expect(table.valAcc(row)).toBeCloseTo(mean(runs), 9);
      expect(table.testAcc(row)).toBeCloseTo(mean(runs.map((v, run) => SYNTHETIC.testAcc(v, run))), 9);
      expect(table.trainSeconds(row)).toBeCloseTo(mean(runs.map((_, run) => SYNTHETIC.trainSeconds(i, run))), 9);
      expect(table.params(row)).toBe(SYNTHETIC.params(i));
      expect(nb101Space.key(table.archAt(row))).toBe(hash);
    });
  });

  it('answers queries through the Evaluator, and names the hash of a cell it lacks', () => {
    const evaluator = new Nb101Evaluator(loaded.table);
    const { hash, cell, runs } = cells[0];
    const result = evaluator.query(cell, 'cifar10');
    expect(result.valAcc).toBeCloseTo(mean(runs), 9);
    expect(result.testAcc).not.toBeNull();
    expect(result.trainSeconds).not.toBeNull();
    expect(nb101Space.key(cell)).toBe(hash);
    const rng = Rng.seeded(3);
    let absent = nb101Space.sample(rng);
    while (loaded.table.row(nb101Space.key(absent)) !== undefined) absent = nb101Space.sample(rng);
    expect(() => evaluator.query(absent, 'cifar10')).toThrow(new RegExp(`NB101 cell ${nb101Space.key(absent)} is not in the NAS-Bench-101 table`));
    const ceiling = evaluator.ceiling();
    expect(ceiling.bestValAcc).toBe(Math.max(...cells.map((_, i) => loaded.table.valAcc(i))));
  });

  it('reads the same table back from its binary cache', () => {
    expect(readdirSync(cacheDir).filter((f) => f.endsWith('.bin'))).toHaveLength(1);
    // Two copies with the same name, size and mtime (whole seconds, exact on every file
    // system): the first load writes the cache, the second reads it.
    const original = join(dataDir, NB101_DIR, 'nasbench_only108.tfrecord');
    const copies = ['copy1', 'copy2'].map((name) => {
      const copy = join(tmp, name, NB101_DIR, 'nasbench_only108.tfrecord');
      mkdirSync(join(copy, '..'), { recursive: true });
      copyFileSync(original, copy);
      utimesSync(copy, 1_700_000_000, 1_700_000_000);
      return join(tmp, name);
    });
    const first = loadNb101(copies[0], { cacheDir });
    expect(first.cache).toBe('written');
    const cached = loadNb101(copies[1], { cacheDir });
    expect(cached.cache).toBe('hit');
    expect(cached.table.columns.hashes).toEqual(loaded.table.columns.hashes);
    for (const column of ['valAcc', 'testAcc', 'trainSeconds', 'params', 'adjacency', 'ops', 'nodes'] as const) {
      expect(Array.from(cached.table.columns[column])).toEqual(Array.from(loaded.table.columns[column]));
    }
  });

  it('ignores a stale cache when the file changes', () => {
    const changedDir = releaseDir('changed', 'nasbench_only108.tfrecord', releaseRecords(cells.slice(1)));
    const changed = loadNb101(changedDir, { cacheDir });
    expect(changed.cache).toBe('written');
    expect(changed.table.size).toBe(cells.length - 1);
  });

  it('uses only the 108-epoch records of nasbench_full.tfrecord', () => {
    const full = loadNb101(releaseDir('full', 'nasbench_full.tfrecord', releaseRecords(cells, true)), { cacheDir: null });
    expect(full.full).toBe(true);
    expect(full.file).toMatch(/nasbench_full\.tfrecord$/);
    cells.forEach(({ hash, runs }, i) => {
      const row = full.table.row(hash) as number;
      expect(full.table.valAcc(row)).toBeCloseTo(mean(runs), 9);
      expect(full.table.params(row)).toBe(SYNTHETIC.params(i));
    });
  });

  it('reads records in other valid JSON spellings too (compact, escaped)', () => {
    const usual = releaseRecords(cells.slice(0, 5));
    const respelled = usual.map((record, i) => {
      const fields = JSON.parse(record.toString('utf8')) as unknown[];
      const compact = JSON.stringify(fields);
      // Record 0 escapes a character of its ops string, which the fast path does not read.
      return Buffer.from(i === 0 ? compact.replace('input,', '\\u0069nput,') : compact);
    });
    expect(respelled[0].toString()).toContain('\\u0069nput');
    const a = loadNb101(releaseDir('usual', 'nasbench_only108.tfrecord', usual), { cacheDir: null }).table;
    const b = loadNb101(releaseDir('respelled', 'nasbench_only108.tfrecord', respelled), { cacheDir: null }).table;
    expect(b.columns).toEqual(a.columns);
  });

  it('reports a corrupted byte with the file name and the offset of its record', () => {
    const dir = releaseDir('corrupt', 'nasbench_only108.tfrecord', releaseRecords(cells.slice(0, 20)));
    const file = join(dir, NB101_DIR, 'nasbench_only108.tfrecord');
    const bytes = readFileSync(file);
    const firstTwo = releaseRecords(cells.slice(0, 20)).slice(0, 2).reduce((n, r) => n + r.length + 16, 0);
    bytes[firstTwo + 40] ^= 1;
    writeFileSync(file, bytes);
    expect(() => loadNb101(dir, { cacheDir: null })).toThrow(UserError);
    expect(() => loadNb101(dir, { cacheDir: null })).toThrow(new RegExp(`${file}: corrupt record data .* at byte offset ${firstTwo};`));
  });

  it('reports a truncated release file', () => {
    const dir = releaseDir('truncated', 'nasbench_only108.tfrecord', releaseRecords(cells.slice(0, 20)));
    const file = join(dir, NB101_DIR, 'nasbench_only108.tfrecord');
    const bytes = readFileSync(file);
    writeFileSync(file, bytes.subarray(0, bytes.length - 7));
    expect(() => loadNb101(dir, { cacheDir: null })).toThrow(/truncated record .* at byte offset \d+; the download is incomplete/);
  });

  it('names the offset of a well-framed record that is not an NB101 record', () => {
    const good = releaseRecords(cells.slice(0, 3));
    const dir = releaseDir('foreign', 'nasbench_only108.tfrecord', [...good, Buffer.from('{"not": "nb101"}')]);
    const offset = good.reduce((n, r) => n + r.length + 16, 0);
    expect(() => loadNb101(dir, { cacheDir: null })).toThrow(new RegExp(`record is not the 5-element NB101 array .* at byte offset ${offset}; this is not a NAS-Bench-101 release file`));
  });
});
