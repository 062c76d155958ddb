import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  badFieldMessage,
  decimalAt,
  gunzipDataFile,
  NON_NEGATIVE,
  PERCENT,
  quoteField,
  readDataFileSync,
  UserError,
  type DataFileLimit,
  type NumberRule,
} from '@dcl-enas/common';
import { NB201_SIZE, nb201Index, nb201Parse, type Nb201Arch } from '@dcl-enas/spaces';

export const NB201_DATASETS = ['cifar10', 'cifar100', 'imagenet16-120'] as const;
export type Nb201Dataset = (typeof NB201_DATASETS)[number];

/** CSV columns per dataset: the search signal (12-epoch validation) and the reported 200-epoch test. */
const COLUMNS: Record<Nb201Dataset, { val: string; test: string }> = {
  cifar10: { val: 'hp12_c10v_val', test: 'c10_test' },
  cifar100: { val: 'hp12_c100_val', test: 'c100_test' },
  'imagenet16-120': { val: 'hp12_in16_val', test: 'in16_test' },
};
const TRAIN_TIME_COLUMN = 'hp12_c10v_train_time_s';
const INDEX_RULE: NumberRule = { min: 0, max: NB201_SIZE - 1, integer: true };

/**
 * Every numeric column of the file and what its values must be (nasbench201/README.txt: all
 * accuracies are percentages). It documents no figure as possibly missing: an empty field is an error.
 */
const NUMERIC: Readonly<Record<string, NumberRule>> = {
  idx: INDEX_RULE,
  c10_test: PERCENT,
  c100_test: PERCENT,
  in16_test: PERCENT,
  naslib_c10_val_accuracy: PERCENT,
  hp12_c10v_val: PERCENT,
  hp12_c10_test: PERCENT,
  hp12_c100_val: PERCENT,
  hp12_c100_test: PERCENT,
  hp12_in16_val: PERCENT,
  hp12_in16_test: PERCENT,
  [TRAIN_TIME_COLUMN]: NON_NEGATIVE,
  params_c10_M: NON_NEGATIVE,
  flops_c10_M: NON_NEGATIVE,
  params_in16_M: NON_NEGATIVE,
  flops_in16_M: NON_NEGATIVE,
};
/** The columns the loader uses first (so their absence is reported first), then the rest. */
const REQUIRED = ['arch', 'idx', TRAIN_TIME_COLUMN, ...NB201_DATASETS.map((d) => COLUMNS[d].val), ...NB201_DATASETS.map((d) => COLUMNS[d].test), ...Object.keys(NUMERIC)];

export const NB201_FILE = join('nasbench201', 'nb201.csv.gz');

const FIX = 're-copy nasbench201/nb201.csv.gz from the data set (see nasbench201/README.txt)';
/** The real file is 0.7 MB gzipped, 3.3 MB of CSV: 16 and 64 MiB leave ample room. */
const GZ_LIMIT: DataFileLimit = { maxBytes: 16 << 20, fix: FIX };
const CSV_LIMIT: DataFileLimit = { maxBytes: 64 << 20, fix: FIX };

/** The whole NAS-Bench-201 table, one compact copy: columns indexed by the cell's base-5 index. */
export interface Nb201Table {
  /** 12-epoch validation accuracy (percent), the search signal. */
  readonly val: Readonly<Record<Nb201Dataset, Float64Array>>;
  /** 200-epoch test accuracy (percent), reported only. */
  readonly test: Readonly<Record<Nb201Dataset, Float64Array>>;
  /** Recorded 12-epoch training time on cifar10-valid (seconds): the simulated cost of a query. */
  readonly trainSeconds: Float64Array;
  /** The benchmark's own row index for each cell. */
  readonly benchmarkIndex: Int32Array;
}

const cache = new Map<string, Nb201Table>();

/** Loads (once per process) the NB201 table from `<dataDir>/nasbench201/nb201.csv.gz`, every field validated. */
export function loadNb201(dataDir: string): Nb201Table {
  const file = join(dataDir, NB201_FILE);
  const cached = cache.get(file);
  if (cached) return cached;
  if (!existsSync(file)) {
    throw new UserError(`NAS-Bench-201 table not found at ${file}: set ENAS_DATA_DIR to the data folder that holds ${NB201_FILE} (run "enas data check")`);
  }
  const csv = gunzipDataFile(file, readDataFileSync(file, GZ_LIMIT), CSV_LIMIT);
  const table = parseNb201Csv(csv.toString('utf8'), file);
  cache.set(file, table);
  return table;
}

/**
 * Parses and validates the table: the header has each column once, every line has every field,
 * every number is a plain decimal in its range, and the lines are the 15,625 distinct cells.
 * Errors name `source`, the 1-based line (the header is line 1) and the column.
 */
export function parseNb201Csv(text: string, source: string): Nb201Table {
  const headerEnd = lineEnd(text, 0);
  if (headerEnd.next === 0) throw new UserError(`${source}: the file holds no header line; ${FIX}`);
  const header = text.slice(0, headerEnd.end).split(',');
  const col = (name: string): number => {
    const i = header.indexOf(name);
    if (i < 0) throw new UserError(`${source}: column "${name}" is missing; the file is not the expected NAS-Bench-201 table (see nasbench201/README.txt)`);
    return i;
  };
  for (const name of REQUIRED) col(name);
  header.forEach((name, i) => {
    if (header.indexOf(name) !== i) throw new UserError(`${source}: column "${name}" appears twice in the header; ${FIX}`);
    if (name !== 'arch' && !(name in NUMERIC)) throw new UserError(`${source}: unexpected column ${quoteField(name)} in the header; the file is not the expected NAS-Bench-201 table (see nasbench201/README.txt)`);
  });
  const idxCol = col('idx');
  const timeCol = col(TRAIN_TIME_COLUMN);
  const valCols = NB201_DATASETS.map((d) => col(COLUMNS[d].val));
  const testCols = NB201_DATASETS.map((d) => col(COLUMNS[d].test));
  const rules = header.map((name) => NUMERIC[name]);

  const filled = new Uint8Array(NB201_SIZE);
  const indexSeen = new Uint8Array(NB201_SIZE);
  const newColumn = () => new Float64Array(NB201_SIZE).fill(Number.NaN);
  const val = Object.fromEntries(NB201_DATASETS.map((d) => [d, newColumn()])) as Record<Nb201Dataset, Float64Array>;
  const test = Object.fromEntries(NB201_DATASETS.map((d) => [d, newColumn()])) as Record<Nb201Dataset, Float64Array>;
  const trainSeconds = newColumn();
  const benchmarkIndex = new Int32Array(NB201_SIZE).fill(-1);
  const values = new Float64Array(header.length);

  // Fields are read in place (no array of substrings per line): this keeps the 15,625 x 17 checks fast.
  let line = 1;
  const at = (): string => `${source} line ${line}`;
  for (let start = headerEnd.next; start < text.length; ) {
    line++;
    const { end, next } = lineEnd(text, start);
    let arch = '';
    let p = start;
    for (let c = 0; c < header.length; c++) {
      const comma = c === header.length - 1 ? end : text.indexOf(',', p);
      if (comma < 0 || comma > end || (c === header.length - 1 && text.lastIndexOf(',', end - 1) >= p)) {
        const count = text.slice(start, end).split(',').length;
        throw new UserError(`${at()}: has ${count} field(s), expected ${header.length} (${header.join(',')}); ${FIX}`);
      }
      const rule = rules[c];
      if (rule) {
        const v = decimalAt(text, p, comma, rule);
        if (Number.isNaN(v)) throw new UserError(badFieldMessage(at(), `column ${header[c]}`, text.slice(p, comma), rule));
        values[c] = v;
      } else arch = text.slice(p, comma); // the one column without a number rule
      p = comma + 1;
    }
    let cell: Nb201Arch;
    try {
      cell = nb201Parse(arch);
    } catch (e) {
      throw new UserError(`${at()}: column arch is ${quoteField(arch)}, not an NB201 cell (${(e as Error).message})`);
    }
    const i = nb201Index(cell);
    if (filled[i]) throw new UserError(`${at()}: repeats cell ${arch}; ${FIX}`);
    filled[i] = 1;
    const idx = values[idxCol];
    if (indexSeen[idx]) throw new UserError(`${at()}: column idx is "${idx}", which an earlier line already has; ${FIX}`);
    indexSeen[idx] = 1;
    benchmarkIndex[i] = idx;
    trainSeconds[i] = values[timeCol];
    for (let k = 0; k < NB201_DATASETS.length; k++) {
      val[NB201_DATASETS[k]][i] = values[valCols[k]];
      test[NB201_DATASETS[k]][i] = values[testCols[k]];
    }
    start = next;
  }
  const missing = filled.reduce((n, f) => n + (f ? 0 : 1), 0);
  if (missing > 0) throw new UserError(`${source}: ${missing} of ${NB201_SIZE} cells are missing; the table is incomplete (re-copy nasbench201/nb201.csv.gz)`);
  return { val, test, trainSeconds, benchmarkIndex };
}

/** Where the line starting at `start` ends (before its LF or CRLF) and where the next one starts. */
function lineEnd(text: string, start: number): { end: number; next: number } {
  const lf = text.indexOf('\n', start);
  const stop = lf < 0 ? text.length : lf;
  const end = stop > start && text.charCodeAt(stop - 1) === 13 ? stop - 1 : stop;
  return { end, next: lf < 0 ? text.length : lf + 1 };
}
