import { describeRule, FRACTION, NON_NEGATIVE, NON_NEGATIVE_INTEGER, parseStrictNumber, UserError, type NumberRule } from '@dcl-enas/common';
import { nb101Space } from '@dcl-enas/spaces';
import { packCell } from './cell-code';
import { csvRowError, NB101_CELL_COLUMNS, NB101_CSV_FIX, readNb101CsvSync } from './nb101-csv';
import { Nb101Table } from './nb101-table';

/** nasbench101/README.txt: 20,001 cells, the lexicographically smallest hashes of the space. */
export const NB101_SAMPLE_ROWS = 20_001;
/** The figures of a sample row, after the cell, and what each must be. */
const FIGURES: readonly [column: string, rule: NumberRule][] = [
  ['val_acc_e4', FRACTION],
  ['val_acc_e12', FRACTION],
  ['val_acc_e36', FRACTION],
  ['val_acc_e108', FRACTION],
  ['train_time_e108_s', NON_NEGATIVE],
  ['params', NON_NEGATIVE_INTEGER],
];
export const NB101_SAMPLE_COLUMNS = [...NB101_CELL_COLUMNS, ...FIGURES.map(([column]) => column)] as const;
const E108 = 3;
const TIME = 4;
const PARAMS = 5;

/**
 * nb101-sample20k.csv.gz as a table. Like the release tables it holds the 108-epoch results
 * (NB101_EPOCHS): valAcc is val_acc_e108 in percent, trainSeconds train_time_e108_s, params the
 * trainable parameters. Each figure is a single training run (README: most likely the best of the
 * three, so above the release's 3-run mean). The sample has no test accuracy: it stays missing
 * (null). The 4/12/36-epoch accuracies are checked but not kept, as no table holds other budgets.
 * Every row is validated: the cell (nb101-csv.ts, then the space's own rules), each figure's range,
 * one row per hash, and 20,001 rows in all.
 */
export function readNb101Sample(file: string): Nb101Table {
  const hashes: string[] = [];
  const rows = new Map<string, number>();
  const valAcc: number[] = [];
  const trainSeconds: number[] = [];
  const params: number[] = [];
  const adjacency: number[] = [];
  const ops: number[] = [];
  const nodes: number[] = [];
  readNb101CsvSync(file, NB101_SAMPLE_COLUMNS, ({ line, hash, cell, rest }) => {
    const reason = nb101Space.invalidReason(cell);
    if (reason) throw csvRowError(file, line, `invalid NB101 cell: ${reason}`);
    if (rows.has(hash)) throw csvRowError(file, line, `hash ${hash} repeats line ${(rows.get(hash) as number) + 2}`);
    const figures = FIGURES.map(([column, rule], k) => {
      const value = parseStrictNumber(rest[k], rule);
      if (Number.isNaN(value)) throw csvRowError(file, line, `column ${column} is ${rest[k] === '' ? 'empty' : JSON.stringify(rest[k])}, not ${describeRule(rule)}`);
      return value;
    });
    rows.set(hash, hashes.length);
    hashes.push(hash);
    valAcc.push(100 * figures[E108]);
    trainSeconds.push(figures[TIME]);
    params.push(figures[PARAMS]);
    const packed = packCell(cell);
    adjacency.push(packed.adjacency);
    ops.push(packed.ops);
    nodes.push(packed.nodes);
  });
  if (hashes.length !== NB101_SAMPLE_ROWS) throw new UserError(`${file}: ${hashes.length} rows, expected ${NB101_SAMPLE_ROWS}; ${NB101_CSV_FIX}`);
  const columns = {
    hashes,
    valAcc: Float64Array.from(valAcc),
    testAcc: new Float64Array(hashes.length).fill(Number.NaN),
    trainSeconds: Float64Array.from(trainSeconds),
    params: Float64Array.from(params),
    adjacency: Uint32Array.from(adjacency),
    ops: Uint16Array.from(ops),
    nodes: Uint8Array.from(nodes),
  };
  return new Nb101Table(columns, 'sample', rows);
}
