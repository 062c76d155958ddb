import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng, UserError } from '@dcl-enas/common';
import { nb101Space, pruneCell, type Nb101Arch } from '@dcl-enas/spaces';
import { Nb101Evaluator } from './nb101-evaluator';
import { loadNb101, nb101FullReleaseMissingMessage, requireFullNb101 } from './nb101-load';
import { readNb101Subset, readNb101SubsetRows } from './nb101-subset';
import { shippedSubset, subsetOnlyDataDir } from './test-fixtures';

const rows = readNb101SubsetRows(shippedSubset());
const table = readNb101Subset(shippedSubset());
const tmp = mkdtempSync(join(tmpdir(), 'nb101-subset-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Relabels vertices along a random topological order: an isomorphic, upper-triangular cell. */
function shuffleVertices(cell: Nb101Arch, rng: Rng): Nb101Arch {
  const n = cell.ops.length;
  const order = [0];
  const left = new Set(Array.from({ length: n - 2 }, (_, i) => i + 1));
  while (left.size > 0) {
    const ready = [...left].filter((v) => [...left].every((u) => !cell.matrix[u][v]));
    const v = rng.pick(ready);
    left.delete(v);
    order.push(v);
  }
  order.push(n - 1);
  return { matrix: order.map((i) => order.map((j) => cell.matrix[i][j])), ops: order.map((i) => cell.ops[i]) };
}

describe('the shipped NB101 subset', () => {
  it('loads all 500 lines as valid cells with a stable key', () => {
    expect(rows).toHaveLength(500);
    const rng = Rng.seeded(0);
    for (const row of rows) {
      expect(nb101Space.invalidReason(row.cell)).toBeNull();
      expect(nb101Space.key(row.cell)).toBe(row.key);
      expect(nb101Space.key(pruneCell(row.cell) as Nb101Arch)).toBe(row.key);
      expect(nb101Space.key(shuffleVertices(row.cell, rng))).toBe(row.key);
      expect(nb101Space.key(nb101Space.parse(nb101Space.format(row.cell)))).toBe(row.key);
    }
  });

  it('gives each distinct cell one table row, whose stored cell hashes to the row key', () => {
    const keys = new Set(rows.map((r) => r.key));
    expect(table.size).toBe(keys.size);
    expect(table.source).toBe('subset');
    for (const key of keys) {
      const row = table.row(key);
      expect(row).toBeDefined();
      expect(nb101Space.key(table.archAt(row as number))).toBe(key);
    }
  });

  it('sees at most three distinct accuracies per key, one per NB101 training run', () => {
    // NASLib reports one randomly drawn run per line; NB101 trained every cell three times. If
    // the key merged cells that are not isomorphic, some key would collect more than 3 values.
    const values = new Map<string, Set<number>>();
    for (const r of rows) values.set(r.key, (values.get(r.key) ?? new Set()).add(r.valAcc));
    for (const [, v] of values) expect(v.size).toBeLessThanOrEqual(3);
    expect([...values.values()].some((v) => v.size === 3)).toBe(true);
  });

  it('averages the distinct runs of a cell and leaves test accuracy, time and parameters missing', () => {
    const evaluator = new Nb101Evaluator(table);
    for (const r of rows) {
      const runs = [...new Set(rows.filter((o) => o.key === r.key).map((o) => o.valAcc))];
      const result = evaluator.query(r.cell, 'cifar10');
      expect(result.valAcc).toBeCloseTo(runs.reduce((a, b) => a + b, 0) / runs.length, 10);
      expect(result.testAcc).toBeNull();
      expect(result.trainSeconds).toBeNull();
      expect(table.params(table.row(r.key) as number)).toBeNull();
    }
  });

  it('refuses a cell the subset lacks, naming its hash, and unknown datasets', () => {
    const evaluator = new Nb101Evaluator(table);
    const rng = Rng.seeded(2);
    let missing = nb101Space.sample(rng);
    while (table.row(nb101Space.key(missing)) !== undefined) missing = nb101Space.sample(rng);
    const hash = nb101Space.key(missing);
    expect(() => evaluator.query(missing, 'cifar10')).toThrow(UserError);
    expect(() => evaluator.query(missing, 'cifar10')).toThrow(new RegExp(`NB101 cell ${hash} is not in the shipped 500-line NB101 subset`));
    expect(() => evaluator.query(rows[0].cell, 'cifar100')).toThrow(/unknown NAS-Bench-101 dataset "cifar100": use cifar10/);
  });

  it('is what loadNb101 gives without the release, flagged as not full, with the way to get it', () => {
    const dataDir = subsetOnlyDataDir(join(tmp, 'data'));
    const loaded = loadNb101(dataDir, { cacheDir: null });
    expect(loaded.full).toBe(false);
    expect(loaded.table.size).toBe(table.size);
    const message = nb101FullReleaseMissingMessage(dataDir);
    expect(message).not.toContain('\n');
    expect(message).toContain(join(dataDir, 'nasbench101'));
    expect(message).toMatch(/search on nb101 needs the full NAS-Bench-101 release.*download nasbench_only108\.tfrecord.*place it in/);
    expect(() => requireFullNb101(loaded, dataDir)).toThrow(message);
  });

  it('says what to place where when there is no NB101 data at all', () => {
    expect(() => loadNb101(join(tmp, 'empty'))).toThrow(/no NAS-Bench-101 data in .*nasbench101: place nasbench_only108\.tfrecord/);
  });
});
