import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { UserError } from '@dcl-enas/common';
import { nb101Space, pruneCell, type Nb101Arch } from '@dcl-enas/spaces';
import { packCell } from './cell-code';
import { Nb101Table } from './nb101-table';

export const NB101_SUBSET_FILE = 'nb101_naslib_zc_subset500.jsonl.gz';

/** One line of the shipped subset, as NASLib gives it. */
export interface Nb101SubsetRow {
  readonly line: number;
  readonly cell: Nb101Arch;
  readonly key: string;
  /** NASLib's val_accuracy, percent: the accuracy of one of NB101's three training runs. */
  readonly valAcc: number;
}

/** Every line of the subset file, validated and keyed by the NB101 module hash. */
export function readNb101SubsetRows(file: string): Nb101SubsetRow[] {
  const text = gunzipSync(readFileSync(file)).toString('utf8');
  const rows: Nb101SubsetRow[] = [];
  text.split('\n').forEach((raw, i) => {
    if (raw.trim() === '') return;
    const where = `${file}: line ${i + 1}`;
    let value: { matrix?: unknown; ops?: unknown; val_accuracy_naslib?: unknown };
    try {
      value = JSON.parse(raw);
    } catch {
      throw new UserError(`${where} is not JSON; the file is damaged (see nasbench101/README.txt)`);
    }
    const cell = { matrix: value.matrix, ops: value.ops } as Nb101Arch;
    const reason = nb101Space.invalidReason(cell);
    if (reason) throw new UserError(`${where}: invalid NB101 cell: ${reason}`);
    if (typeof value.val_accuracy_naslib !== 'number') throw new UserError(`${where}: val_accuracy_naslib is missing or not a number`);
    rows.push({ line: i + 1, cell, key: nb101Space.key(cell), valAcc: value.val_accuracy_naslib });
  });
  return rows;
}

/**
 * The shipped 500-line subset as a table, one row per module hash. Lines repeat cells: NASLib
 * gives, per line, the validation accuracy of one randomly drawn training run, so a cell's
 * lines carry up to three distinct values. A row's valAcc is the mean of its distinct values
 * (the runs seen). The subset has no test accuracy, training time or parameter count: those
 * stay missing (NaN, reported as null).
 */
export function readNb101Subset(file: string): Nb101Table {
  const byKey = new Map<string, { cell: Nb101Arch; values: Set<number> }>();
  for (const row of readNb101SubsetRows(file)) {
    const entry = byKey.get(row.key) ?? { cell: row.cell, values: new Set<number>() };
    entry.values.add(row.valAcc);
    byKey.set(row.key, entry);
  }
  const n = byKey.size;
  const hashes = [...byKey.keys()];
  const valAcc = new Float64Array(n);
  const adjacency = new Uint32Array(n);
  const ops = new Uint16Array(n);
  const nodes = new Uint8Array(n);
  hashes.forEach((hash, r) => {
    const { cell, values } = byKey.get(hash) as { cell: Nb101Arch; values: Set<number> };
    valAcc[r] = [...values].reduce((a, b) => a + b, 0) / values.size;
    const packed = packCell(pruneCell(cell) as Nb101Arch);
    adjacency[r] = packed.adjacency;
    ops[r] = packed.ops;
    nodes[r] = packed.nodes;
  });
  const missing = (): Float64Array => new Float64Array(n).fill(Number.NaN);
  return new Nb101Table({ hashes, valAcc, testAcc: missing(), trainSeconds: missing(), params: missing(), adjacency, ops, nodes }, 'subset');
}
