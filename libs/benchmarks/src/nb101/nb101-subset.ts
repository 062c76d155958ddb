import {
  describeRule,
  gunzipDataFile,
  meetsRule,
  NON_NEGATIVE,
  PERCENT,
  readDataFileSync,
  UserError,
  type DataFileLimit,
  type NumberRule,
} from '@dcl-enas/common';
import { nb101Space, pruneCell, type Nb101Arch } from '@dcl-enas/spaces';
import { packCell } from './cell-code';
import { Nb101Table } from './nb101-table';

export const NB101_SUBSET_FILE = 'nb101_naslib_zc_subset500.jsonl.gz';
/** nasbench101/README.txt: the subset has exactly 500 lines. */
export const NB101_SUBSET_LINES = 500;

const FIX = 're-copy nasbench101/nb101_naslib_zc_subset500.jsonl.gz from the data set (see nasbench101/README.txt)';
/** The real file is 13 KB gzipped, 0.3 MB of text: 4 and 16 MiB leave ample room. */
const GZ_LIMIT: DataFileLimit = { maxBytes: 4 << 20, fix: FIX };
const TEXT_LIMIT: DataFileLimit = { maxBytes: 16 << 20, fix: FIX };
/** Every key of a line and what its number must be (matrix and ops are checked as a cell). */
const NUMBERS: Readonly<Record<string, NumberRule>> = { val_accuracy_naslib: PERCENT, params_M: NON_NEGATIVE, flops_M: NON_NEGATIVE };
const KEYS = ['matrix', 'ops', ...Object.keys(NUMBERS)];

/** One line of the shipped subset, as NASLib gives it. */
export interface Nb101SubsetRow {
  readonly line: number;
  readonly cell: Nb101Arch;
  readonly key: string;
  /** NASLib's val_accuracy, percent: the accuracy of one of NB101's three training runs. */
  readonly valAcc: number;
}

/** Every line of the subset file, validated (each key present, each number in range, 500 lines) and keyed by the NB101 module hash. */
export function readNb101SubsetRows(file: string): Nb101SubsetRow[] {
  const text = gunzipDataFile(file, readDataFileSync(file, GZ_LIMIT), TEXT_LIMIT).toString('utf8');
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const rows = lines.map((raw, i) => parseLine(raw, `${file} line ${i + 1}`, i + 1));
  if (rows.length !== NB101_SUBSET_LINES) throw new UserError(`${file}: ${rows.length} lines, expected ${NB101_SUBSET_LINES}; ${FIX}`);
  return rows;
}

function parseLine(raw: string, where: string, line: number): Nb101SubsetRow {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new UserError(`${where} is not JSON; the file is damaged; ${FIX}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UserError(`${where} is not a JSON object; ${FIX}`);
  const fields = value as Record<string, unknown>;
  for (const key of KEYS) if (!(key in fields)) throw new UserError(`${where}: field ${key} is missing; ${FIX}`);
  for (const key of Object.keys(fields)) if (!KEYS.includes(key)) throw new UserError(`${where}: unexpected field ${JSON.stringify(key)}; ${FIX}`);
  for (const [key, rule] of Object.entries(NUMBERS)) {
    const v = fields[key];
    if (typeof v !== 'number' || !meetsRule(v, rule)) {
      // JSON.parse reads 1e400 as Infinity; String() shows that, JSON.stringify would say null.
      const shown = typeof v === 'number' ? String(v) : JSON.stringify(v);
      throw new UserError(`${where}: field ${key} is ${shown}, not ${describeRule(rule)}`);
    }
  }
  const cell = { matrix: fields['matrix'], ops: fields['ops'] } as Nb101Arch;
  const reason = nb101Space.invalidReason(cell);
  if (reason) throw new UserError(`${where}: invalid NB101 cell: ${reason}`);
  return { line, cell, key: nb101Space.key(cell), valAcc: fields['val_accuracy_naslib'] as number };
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
