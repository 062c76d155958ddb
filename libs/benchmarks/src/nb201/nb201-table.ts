import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { UserError } from '@dcl-enas/common';
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

export const NB201_FILE = join('nasbench201', 'nb201.csv.gz');

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

/** Loads (once per process) the NB201 table from `<dataDir>/nasbench201/nb201.csv.gz`. */
export function loadNb201(dataDir: string): Nb201Table {
  const file = join(dataDir, NB201_FILE);
  const cached = cache.get(file);
  if (cached) return cached;
  if (!existsSync(file)) {
    throw new UserError(`NAS-Bench-201 table not found at ${file}: set ENAS_DATA_DIR to the data folder that holds ${NB201_FILE} (run "enas data check")`);
  }
  const table = parseNb201Csv(gunzipSync(readFileSync(file)).toString('utf8'), file);
  cache.set(file, table);
  return table;
}

export function parseNb201Csv(text: string, source: string): Nb201Table {
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  const header = lines[0].split(',');
  const col = (name: string): number => {
    const i = header.indexOf(name);
    if (i < 0) throw new UserError(`${source}: column "${name}" is missing; the file is not the expected NAS-Bench-201 table (see nasbench201/README.txt)`);
    return i;
  };
  const archCol = col('arch');
  const idxCol = col('idx');
  const timeCol = col(TRAIN_TIME_COLUMN);
  const valCols = NB201_DATASETS.map((d) => col(COLUMNS[d].val));
  const testCols = NB201_DATASETS.map((d) => col(COLUMNS[d].test));

  const filled = new Uint8Array(NB201_SIZE);
  const newColumn = () => new Float64Array(NB201_SIZE).fill(Number.NaN);
  const val = Object.fromEntries(NB201_DATASETS.map((d) => [d, newColumn()])) as Record<Nb201Dataset, Float64Array>;
  const test = Object.fromEntries(NB201_DATASETS.map((d) => [d, newColumn()])) as Record<Nb201Dataset, Float64Array>;
  const trainSeconds = newColumn();
  const benchmarkIndex = new Int32Array(NB201_SIZE).fill(-1);

  for (let r = 1; r < lines.length; r++) {
    const cells = lines[r].split(',');
    if (cells.length !== header.length) throw new UserError(`${source}: line ${r + 1} has ${cells.length} fields, expected ${header.length}`);
    let arch: Nb201Arch;
    try {
      arch = nb201Parse(cells[archCol]);
    } catch (e) {
      throw new UserError(`${source}: line ${r + 1}: ${(e as Error).message}`);
    }
    const i = nb201Index(arch);
    if (filled[i]) throw new UserError(`${source}: line ${r + 1} repeats cell ${cells[archCol]}`);
    filled[i] = 1;
    benchmarkIndex[i] = Number(cells[idxCol]);
    trainSeconds[i] = Number(cells[timeCol]);
    NB201_DATASETS.forEach((d, k) => {
      val[d][i] = Number(cells[valCols[k]]);
      test[d][i] = Number(cells[testCols[k]]);
    });
  }
  const missing = filled.reduce((n, f) => n + (f ? 0 : 1), 0);
  if (missing > 0) throw new UserError(`${source}: ${missing} of ${NB201_SIZE} cells are missing; the table is incomplete (re-copy nasbench201/nb201.csv.gz)`);
  return { val, test, trainSeconds, benchmarkIndex };
}
