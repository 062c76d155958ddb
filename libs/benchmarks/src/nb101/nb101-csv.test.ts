import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveDataDir, UserError } from '@dcl-enas/common';
import { NB101_CELL_COLUMNS, NB101_SAMPLE_FILE, NB101_SPACE_FILE, readNb101CsvSync, streamNb101Csv, type Nb101CsvCell } from './nb101-csv';
import { NB101_DIR } from './nb101-load';

const dir = join(resolveDataDir(), NB101_DIR);
const SAMPLE_COLUMNS = [...NB101_CELL_COLUMNS, 'val_acc_e4', 'val_acc_e12', 'val_acc_e36', 'val_acc_e108', 'train_time_e108_s', 'params'];
const tmp = mkdtempSync(join(tmpdir(), 'nb101-csv-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function firstRows(file: string, header: readonly string[], n: number): Promise<Nb101CsvCell[]> {
  const rows: Nb101CsvCell[] = [];
  await streamNb101Csv(file, header, (row) => rows.push(row) < n);
  return rows;
}

/** README.txt: the first cell of both files, sorted by hash. */
const FIRST = {
  hash: '00005c142e6f48ac74fdcf73e3439874',
  ops: 'input|conv3x3-bn-relu|maxpool3x3|conv3x3-bn-relu|conv3x3-bn-relu|conv1x1-bn-relu|output',
  adjacency: '0100110001000000010010000010000001000000010000000',
};

describe('the NB101 CSV.gz reader on the real files', () => {
  it('streams the first 5,000 rows of the space, each checked, in hash order', async () => {
    const rows = await firstRows(join(dir, NB101_SPACE_FILE), NB101_CELL_COLUMNS, 5000);
    expect(rows).toHaveLength(5000);
    expect(rows[0]).toMatchObject({ line: 2, hash: FIRST.hash, rest: [] });
    expect(rows[0].cell.ops.join('|')).toBe(FIRST.ops);
    expect(rows[0].cell.matrix.flat().join('')).toBe(FIRST.adjacency);
    expect(rows[4999].line).toBe(5001);
    for (let i = 1; i < rows.length; i++) expect(rows[i - 1].hash < rows[i].hash).toBe(true);
  });

  it('reads the first rows of the sample, streamed and in one piece alike', async () => {
    const file = join(dir, NB101_SAMPLE_FILE);
    const streamed = await firstRows(file, SAMPLE_COLUMNS, 200);
    const whole: Nb101CsvCell[] = [];
    readNb101CsvSync(file, SAMPLE_COLUMNS, (row) => whole.push(row) < 200);
    expect(whole).toEqual(streamed);
    expect(streamed[0].hash).toBe(FIRST.hash);
    expect(streamed[0].rest).toEqual(['0.3604767620563507', '0.42197516560554504', '0.9001402258872986', '0.9304887652397156', '1768.9759521484375', '8555530']);
  });

  it('refuses a header other than the expected one', async () => {
    const file = join(dir, NB101_SPACE_FILE);
    await expect(streamNb101Csv(file, SAMPLE_COLUMNS, () => undefined)).rejects.toThrow(new RegExp(`^${file.replace(/[.]/g, '\\.')} line 1: header is "hash,V,adjacency,ops", expected`));
  });
});

const HEADER = NB101_CELL_COLUMNS.join(',');
const GOOD = `${FIRST.hash},7,${FIRST.adjacency},${FIRST.ops}`;
const TWO = '043721b9c7fe8c5fad811d47d83132ec,2,0100,input|output';
let files = 0;
function gz(text: string | Buffer): string {
  const file = join(tmp, `bad-${files++}.csv.gz`);
  writeFileSync(file, typeof text === 'string' ? gzipSync(text) : text);
  return file;
}

const badRows: [string, string, RegExp][] = [
  ['a short hash', `00005c14,7,${FIRST.adjacency},${FIRST.ops}`, /line 3: hash "00005c14" is not 32 lower-case hex digits/],
  ['V = 8', `${FIRST.hash},8,${FIRST.adjacency},${FIRST.ops}`, /line 3: V is "8", not an integer in \[2, 7\]/],
  ['V = 1', `${FIRST.hash},1,0,input`, /line 3: V is "1", not an integer in \[2, 7\]/],
  ['a short adjacency', `${FIRST.hash},7,010011,${FIRST.ops}`, /line 3: adjacency is not 49 characters 0\/1 \(V = 7\)/],
  ['a 2 in the adjacency', `${FIRST.hash},7,${'2' + FIRST.adjacency.slice(1)},${FIRST.ops}`, /line 3: adjacency is not 49 characters 0\/1 \(V = 7\)/],
  ['a 1 below the diagonal', `${FIRST.hash},2,0110,input|output`, /line 3: adjacency has a 1 at row 1, column 0: not upper-triangular/],
  ['a 1 on the diagonal', `${FIRST.hash},2,1100,input|output`, /line 3: adjacency has a 1 at row 0, column 0: not upper-triangular/],
  ['too few ops', `${FIRST.hash},7,${FIRST.adjacency},input|output`, /line 3: ops has 2 label\(s\), expected V = 7/],
  ['an unknown op', `${FIRST.hash},7,${FIRST.adjacency},${FIRST.ops.replace('maxpool3x3', 'avgpool3x3')}`, /line 3: op "avgpool3x3" is not one of conv3x3-bn-relu, conv1x1-bn-relu, maxpool3x3/],
  ['no output label', `${FIRST.hash},2,0100,input|conv3x3-bn-relu`, /line 3: ops must start with input and end with output/],
  ['a missing field', `${FIRST.hash},7,${FIRST.adjacency}`, /line 3: has 3 field\(s\), expected 4/],
  ['an empty line', '', /line 3: is empty/],
];

describe.each(badRows)('a row with %s', (_name, row, message) => {
  const file = gz(`${HEADER}\n${TWO}\n${row}\n${GOOD}\n`);
  const full = new RegExp(`^${file.replace(/[.]/g, '\\.')} ${message.source}; re-copy the file`);

  it('is one UserError naming file and line, streamed', async () => {
    const seen: string[] = [];
    const reading = streamNb101Csv(file, NB101_CELL_COLUMNS, (r) => void seen.push(r.hash));
    await expect(reading).rejects.toThrow(UserError);
    await expect(streamNb101Csv(file, NB101_CELL_COLUMNS, () => undefined)).rejects.toThrow(full);
    expect(seen).toEqual(['043721b9c7fe8c5fad811d47d83132ec']);
  });

  it('and the same read in one piece', () => {
    expect(() => readNb101CsvSync(file, NB101_CELL_COLUMNS, () => undefined)).toThrow(full);
  });
});

describe('damaged files', () => {
  it('a truncated gzip stream', async () => {
    const real = readFileSync(join(dir, NB101_SAMPLE_FILE));
    const file = gz(real.subarray(0, 100_000));
    await expect(streamNb101Csv(file, SAMPLE_COLUMNS, () => undefined)).rejects.toThrow(/: the gzip stream ends early \(the file is truncated\); /);
    expect(() => readNb101CsvSync(file, SAMPLE_COLUMNS, () => undefined)).toThrow(/: the gzip stream ends early \(the file is truncated\); /);
  });

  it('not gzip at all', async () => {
    const file = gz(Buffer.from(`${HEADER}\n${GOOD}\n`));
    await expect(streamNb101Csv(file, NB101_CELL_COLUMNS, () => undefined)).rejects.toThrow(/: not a readable gzip file \(/);
  });

  it('an empty text', async () => {
    const file = gz('');
    await expect(streamNb101Csv(file, NB101_CELL_COLUMNS, () => undefined)).rejects.toThrow(/: no header line \(the file is empty\)/);
  });

  it('a last line without its newline is read', async () => {
    const rows = await firstRows(gz(`${HEADER}\n${TWO}\n${GOOD}`), NB101_CELL_COLUMNS, 10);
    expect(rows.map((r) => r.line)).toEqual([2, 3]);
    expect(rows[0].cell).toEqual({ matrix: [[0, 1], [0, 0]], ops: ['input', 'output'] });
  });
});
