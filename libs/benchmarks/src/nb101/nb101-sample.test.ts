import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveDataDir, UserError } from '@dcl-enas/common';
import { nb101Space, type Nb101Arch } from '@dcl-enas/spaces';
import { NB101_SAMPLE_FILE } from './nb101-csv';
import { Nb101Evaluator } from './nb101-evaluator';
import { loadNb101, NB101_DIR, requireFullNb101 } from './nb101-load';
import { NB101_SAMPLE_ROWS, readNb101Sample } from './nb101-sample';
import { NB101_SUBSET_FILE } from './nb101-subset';
import { writeTfRecordFile } from './tfrecord-writer';
import { releaseRecords, shippedCells } from './test-fixtures';

const realDir = join(resolveDataDir(), NB101_DIR);
const sampleFile = join(realDir, NB101_SAMPLE_FILE);
const tmp = mkdtempSync(join(tmpdir(), 'nb101-sample-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The sample's text lines, header first. */
const lines = gunzipSync(readFileSync(sampleFile)).toString('utf8').trimEnd().split('\n');
const table = readNb101Sample(sampleFile);

/** A data folder with links to the named real NB101 files. */
function dataDirWith(name: string, files: string[]): string {
  const dataDir = join(tmp, name);
  mkdirSync(join(dataDir, NB101_DIR), { recursive: true });
  for (const f of files) symlinkSync(join(realDir, f), join(dataDir, NB101_DIR, f));
  return dataDir;
}

describe('the 20,001-cell NB101 sample as a table', () => {
  it('holds every row, one per hash, with no test accuracy', () => {
    expect(table.size).toBe(NB101_SAMPLE_ROWS);
    expect(table.source).toBe('sample');
    expect(lines).toHaveLength(NB101_SAMPLE_ROWS + 1);
    for (const row of [0, 1, 777, NB101_SAMPLE_ROWS - 1]) expect(table.testAcc(row)).toBeNull();
  });

  it.each([1, 2, 5000, NB101_SAMPLE_ROWS])("answers for the cell of line %i with the file's figures", (index) => {
    const [hash, , adjacency, ops, , , , e108, seconds, params] = lines[index].split(',');
    const row = table.row(hash) as number;
    expect(row).toBeDefined();
    const cell = table.archAt(row);
    expect(cell.matrix.flat().join('')).toBe(adjacency);
    expect(cell.ops.join('|')).toBe(ops);
    const evaluator = new Nb101Evaluator(table);
    expect(evaluator.query(cell, 'cifar10')).toEqual({ valAcc: 100 * Number(e108), testAcc: null, trainSeconds: Number(seconds) });
    expect(table.params(row)).toBe(Number(params));
  });

  it('knows the cell README.txt quotes, as its best 108-epoch run', () => {
    const row = table.row('00005c142e6f48ac74fdcf73e3439874') as number;
    expect(table.valAcc(row)).toBeCloseTo(93.04887652397156, 12);
    expect(table.trainSeconds(row)).toBe(1768.9759521484375);
    expect(table.params(row)).toBe(8555530);
  });

  it('names the sample for a cell it lacks', () => {
    const missing: Nb101Arch = { matrix: [[0, 1, 0], [0, 0, 1], [0, 0, 0]], ops: ['input', 'maxpool3x3', 'output'] };
    expect(table.row(nb101Space.key(missing))).toBeUndefined();
    expect(() => new Nb101Evaluator(table).query(missing, 'cifar10')).toThrow(/is not in the 20,001-cell NB101 sample nb101-sample20k\.csv\.gz/);
  });
});

describe('which NB101 table loadNb101 picks', () => {
  it('the sample when the release is absent, even beside the subset; not full, so no search', () => {
    const dataDir = dataDirWith('sample-and-subset', [NB101_SAMPLE_FILE, NB101_SUBSET_FILE]);
    const loaded = loadNb101(dataDir, { cacheDir: null });
    expect(loaded).toMatchObject({ full: false, file: join(dataDir, NB101_DIR, NB101_SAMPLE_FILE), cache: 'off' });
    expect(loaded.table.source).toBe('sample');
    expect(loaded.table.size).toBe(NB101_SAMPLE_ROWS);
    expect(() => requireFullNb101(loaded, dataDir)).toThrow(/needs the full NAS-Bench-101 release/);
  });

  it('the subset without the sample', () => {
    const loaded = loadNb101(dataDirWith('subset-only', [NB101_SUBSET_FILE]), { cacheDir: null });
    expect(loaded.table.source).toBe('subset');
  });

  it('the release when present, before the sample', () => {
    const dataDir = dataDirWith('release-and-sample', [NB101_SAMPLE_FILE, NB101_SUBSET_FILE]);
    writeTfRecordFile(join(dataDir, NB101_DIR, 'nasbench_only108.tfrecord'), releaseRecords(shippedCells()));
    const loaded = loadNb101(dataDir, { cacheDir: null });
    expect(loaded.full).toBe(true);
    expect(loaded.table.source).toBe('full');
  });
});

describe('a damaged sample', () => {
  const write = (name: string, text: string): string => {
    const file = join(tmp, name);
    writeFileSync(file, gzipSync(text));
    return file;
  };
  const withLine = (index: number, edit: (fields: string[]) => void): string =>
    lines.map((l, i) => (i === index ? ((f) => (edit(f), f.join(',')))(l.split(',')) : l)).join('\n') + '\n';

  it('a figure out of range is one error naming the line', () => {
    const file = write('bad-acc.csv.gz', withLine(3, (f) => (f[7] = '1.5')));
    expect(() => readNb101Sample(file)).toThrow(UserError);
    expect(() => readNb101Sample(file)).toThrow(new RegExp(`^${file.replace(/\./g, '\\.')} line 4: column val_acc_e108 is "1\\.5", not a number in \\[0, 1\\]; `));
  });

  it('an empty parameter count', () => {
    const file = write('bad-params.csv.gz', withLine(9, (f) => (f[9] = '')));
    expect(() => readNb101Sample(file)).toThrow(/ line 10: column params is empty, not an integer >= 0; /);
  });

  it('a repeated hash', () => {
    const file = write('repeat.csv.gz', withLine(2, (f) => (f[0] = lines[1].split(',')[0])));
    expect(() => readNb101Sample(file)).toThrow(/ line 3: hash 00005c142e6f48ac74fdcf73e3439874 repeats line 2; /);
  });

  it('a cell with more than 9 edges', () => {
    const dense = Array.from({ length: 7 }, (_, i) => Array.from({ length: 7 }, (_, j) => (j > i ? '1' : '0')).join('')).join('');
    const file = write('dense.csv.gz', withLine(1, (f) => (f[2] = dense)));
    expect(() => readNb101Sample(file)).toThrow(/ line 2: invalid NB101 cell: /);
  });

  it('rows missing', () => {
    const file = write('short.csv.gz', lines.slice(0, 101).join('\n') + '\n');
    expect(() => readNb101Sample(file)).toThrow(/: 100 rows, expected 20001; /);
  });
});
