import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '@dcl-enas/common';
import { checkNb101Data } from '../data-check';
import type { ModelMetrics } from './model-metrics';
import { readTableCache, stampOf, writeTableCache } from './nb101-cache';
import { NB101_SPACE_FILE } from './nb101-csv';
import { loadNb101, NB101_DIR } from './nb101-load';
import { encodeNb101Record } from './nb101-record';
import { NB101_SUBSET_FILE, readNb101Subset } from './nb101-subset';
import { Nb101Table } from './nb101-table';
import { writeTfRecordFile } from './tfrecord-writer';
import { releaseRecords, shippedCells, shippedSubset } from './test-fixtures';

const tmp = mkdtempSync(join(tmpdir(), 'nb101-validation-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const subsetLines = gunzipSync(readFileSync(shippedSubset())).toString('utf8').split('\n');
let dirs = 0;

function subsetDir(content: Buffer | string): { dataDir: string; file: string } {
  const dataDir = join(tmp, `subset-${dirs++}`);
  mkdirSync(join(dataDir, NB101_DIR), { recursive: true });
  const file = join(dataDir, NB101_DIR, NB101_SUBSET_FILE);
  writeFileSync(file, content);
  return { dataDir, file };
}
const editedSubset = (edit: (lines: string[]) => void) => {
  const lines = [...subsetLines];
  edit(lines);
  return subsetDir(gzipSync(lines.join('\n')));
};
const setValAcc = (lines: string[], line: number, json: string): void => {
  lines[line - 1] = lines[line - 1].replace(/"val_accuracy_naslib": [^,]+/, `"val_accuracy_naslib": ${json}`);
};

/** The one-line UserError of `load`, also what `enas data check` reports for the folder. */
function refusal(load: () => unknown, dataDir: string): string {
  try {
    load();
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    const message = (err as Error).message;
    expect(message).not.toMatch(/[\r\n]/);
    expect(checkNb101Data(dataDir, { cacheDir: null })).toContainEqual({ name: 'nb101', status: 'BAD', detail: message });
    return message;
  }
  throw new Error('the file was accepted');
}

describe('the NB101 subset loader', () => {
  const cases: [string, string, string][] = [
    ['a word', '"abc"', '"abc"'],
    ['an overflow to Infinity', '1e400', 'Infinity'],
    ['an accuracy above 100', '150', '150'],
    ['a negative accuracy', '-3', '-3'],
    ['null', 'null', 'null'],
  ];
  it.each(cases)('refuses %s as val_accuracy_naslib with the file and line', (_name, json, shown) => {
    const { dataDir, file } = editedSubset((lines) => setValAcc(lines, 3, json));
    expect(refusal(() => readNb101Subset(file), dataDir)).toBe(`${file} line 3: field val_accuracy_naslib is ${shown}, not a number in [0, 100]`);
  });

  it('refuses NaN (not JSON), a missing or unexpected field, a line that is not an object, bad params', () => {
    const nan = editedSubset((lines) => setValAcc(lines, 3, 'NaN'));
    expect(refusal(() => readNb101Subset(nan.file), nan.dataDir)).toMatch(/ line 3 is not JSON; /);
    const missing = editedSubset((lines) => {
      lines[9] = lines[9].replace(/, "flops_M": [^}]+/, '');
    });
    expect(refusal(() => readNb101Subset(missing.file), missing.dataDir)).toMatch(/ line 10: field flops_M is missing; /);
    const extra = editedSubset((lines) => {
      lines[9] = lines[9].replace(/}$/, ', "test": 1}');
    });
    expect(refusal(() => readNb101Subset(extra.file), extra.dataDir)).toMatch(/ line 10: unexpected field "test"; /);
    const notObject = editedSubset((lines) => {
      lines[0] = 'null';
    });
    expect(refusal(() => readNb101Subset(notObject.file), notObject.dataDir)).toMatch(/ line 1 is not a JSON object; /);
    const params = editedSubset((lines) => {
      lines[4] = lines[4].replace(/"params_M": [^,]+/, '"params_M": -1');
    });
    expect(refusal(() => readNb101Subset(params.file), params.dataDir)).toMatch(/ line 5: field params_M is -1, not a number >= 0$/);
  });

  it('refuses a subset that is not 500 lines', () => {
    const short = editedSubset((lines) => lines.splice(10, 1));
    expect(refusal(() => readNb101Subset(short.file), short.dataDir)).toMatch(/: 499 lines, expected 500; /);
  });

  it('refuses a truncated or corrupt .gz file, a directory and an empty file in one line', () => {
    const gz = readFileSync(shippedSubset());
    const truncated = subsetDir(gz.subarray(0, gz.length - 100));
    expect(refusal(() => readNb101Subset(truncated.file), truncated.dataDir)).toBe(
      `${truncated.file}: the gzip stream ends early (the file is truncated); re-copy nasbench101/nb101_naslib_zc_subset500.jsonl.gz from the data set (see nasbench101/README.txt)`,
    );
    const corrupt = Buffer.from(gz);
    corrupt[corrupt.length - 5] ^= 0xff;
    const bad = subsetDir(corrupt);
    expect(refusal(() => readNb101Subset(bad.file), bad.dataDir)).toMatch(/: not a valid gzip file \(incorrect data check\)/);
    const dataDir = join(tmp, 'subset-dir');
    const file = join(dataDir, NB101_DIR, NB101_SUBSET_FILE);
    mkdirSync(file, { recursive: true });
    expect(refusal(() => loadNb101(dataDir, { cacheDir: null }), dataDir)).toMatch(/nb101_naslib_zc_subset500\.jsonl\.gz is a directory, not a file; /);
    const empty = subsetDir('');
    expect(refusal(() => readNb101Subset(empty.file), empty.dataDir)).toMatch(/ is empty; /);
  });
});

describe('the NB101 release reader', () => {
  const cells = shippedCells().slice(0, 10);
  const good = releaseRecords(cells);
  const metrics = (final: Record<string, number>, params?: number): ModelMetrics => ({
    evaluation_data: [{ current_epoch: 0 }, { current_epoch: 54 }, { current_epoch: 108, validation_accuracy: 0.9, test_accuracy: 0.89, training_time: 1000, ...final }],
    ...(params === undefined ? {} : { trainable_parameters: params }),
  });
  function releaseWith(bad: Buffer): { dataDir: string; file: string; offset: number } {
    const dataDir = join(tmp, `release-${dirs++}`);
    mkdirSync(join(dataDir, NB101_DIR), { recursive: true });
    const file = join(dataDir, NB101_DIR, 'nasbench_only108.tfrecord');
    writeTfRecordFile(file, [...good.slice(0, 4), bad, ...good.slice(4)]);
    return { dataDir, file, offset: good.slice(0, 4).reduce((n, r) => n + r.length + 16, 0) };
  }
  const { hash, cell } = cells[0];

  const cases: [string, Buffer, string][] = [
    ['a validation accuracy above 1', encodeNb101Record(hash, 108, cell, metrics({ validation_accuracy: 1.5 })), 'final validation_accuracy is 1.5, not a number in [0, 1]'],
    ['a NaN test accuracy', encodeNb101Record(hash, 108, cell, metrics({ test_accuracy: Number.NaN })), 'final test_accuracy is NaN, not a number in [0, 1]'],
    ['an infinite training time', encodeNb101Record(hash, 108, cell, metrics({ training_time: Infinity })), 'final training_time is Infinity, not a number >= 0'],
    ['a negative training time', encodeNb101Record(hash, 108, cell, metrics({ training_time: -1 })), 'final training_time is -1, not a number >= 0'],
    ['a negative parameter count', encodeNb101Record(hash, 108, cell, metrics({}, -5)), 'trainable_parameters is -5, not an integer >= 0'],
    ['an epoch budget NB101 does not have', encodeNb101Record(hash, 7, cell, metrics({})), 'epochs is 7, not one of 4, 12, 36, 108'],
  ];
  it.each(cases)('refuses %s, naming the file, the record and the field', (_name, record, what) => {
    const { dataDir, file, offset } = releaseWith(record);
    const message = refusal(() => loadNb101(dataDir, { cacheDir: null }), dataDir);
    expect(message.startsWith(`${file}: record ${hash}: ${what} at byte offset ${offset}; `)).toBe(true);
  });

  it('refuses an empty file, a file without 108-epoch records and a directory in one line', () => {
    const dataDir = join(tmp, 'release-empty');
    const file = join(dataDir, NB101_DIR, 'nasbench_only108.tfrecord');
    mkdirSync(join(dataDir, NB101_DIR), { recursive: true });
    writeFileSync(file, '');
    expect(refusal(() => loadNb101(dataDir, { cacheDir: null }), dataDir)).toMatch(/nasbench_only108\.tfrecord is empty; download/);
    writeTfRecordFile(file, [encodeNb101Record(hash, 4, cell, metrics({}))]);
    expect(refusal(() => loadNb101(dataDir, { cacheDir: null }), dataDir)).toMatch(/: no 108-epoch record in the file at byte offset 0; /);
    const dirData = join(tmp, 'release-dir');
    mkdirSync(join(dirData, NB101_DIR, 'nasbench_only108.tfrecord'), { recursive: true });
    expect(refusal(() => loadNb101(dirData, { cacheDir: join(tmp, 'cache') }), dirData)).toMatch(/nasbench_only108\.tfrecord is a directory, not a file; /);
  });

  it('rebuilds rather than trusts a cache holding a figure out of range', () => {
    const dataDir = releaseWith(good[0]).dataDir;
    const file = join(dataDir, NB101_DIR, 'nasbench_only108.tfrecord');
    const table = loadNb101(dataDir, { cacheDir: null }).table;
    const cachePath = join(tmp, 'bad-cache.bin');
    const stamp = stampOf(file);
    expect(writeTableCache(cachePath, stamp, table)).toBe(true);
    expect(readTableCache(cachePath, stamp)?.size).toBe(table.size);
    const valAcc = Float64Array.from(table.columns.valAcc);
    valAcc[2] = 150;
    expect(writeTableCache(cachePath, stamp, new Nb101Table({ ...table.columns, valAcc }, 'full'))).toBe(true);
    expect(readTableCache(cachePath, stamp)).toBeNull();
  });
});

describe('enas data check on NB101', () => {
  it('reports each file of the shipped folder, one line each: release absent, the others ok with what they allow', () => {
    const checks = checkNb101Data(join(shippedSubset(), '..', '..'), { cacheDir: null });
    expect(checks.map((c) => [c.name, c.status])).toEqual([['nb101', 'absent'], ['nb101', 'ok'], ['nb101', 'ok'], ['nb101', 'ok']]);
    const [release, sample, subset, space] = checks.map((c) => c.detail);
    expect(release).toMatch(/^release: no nasbench_only108\.tfrecord; a search over NB101 needs it /);
    expect(sample).toMatch(/^sample: \S+nb101-sample20k\.csv\.gz \(20001 cells\): 108-epoch validation accuracy of one run, training time and params, no test accuracy; queries on these cells$/);
    expect(subset).toMatch(/^subset: 500-line subset \S+ \(292 distinct cells\): validation accuracy only; not used: the sample comes first$/);
    expect(space).toMatch(/^space: \S+nb101-space\.csv\.gz \(423624 cells, sha256 as published\): the structure of every cell/);
  });

  it('reports a folder without NB101 tables as MISSING, and the other files as absent', () => {
    expect(checkNb101Data(join(tmp, 'nothing')).map((c) => c.status)).toEqual(['MISSING', 'absent', 'absent', 'absent']);
  });

  it('reports a space file that is not the published one as BAD', () => {
    const dataDir = join(tmp, 'other-space');
    mkdirSync(join(dataDir, NB101_DIR), { recursive: true });
    writeFileSync(join(dataDir, NB101_DIR, NB101_SPACE_FILE), gzipSync('hash,V,adjacency,ops\n'));
    const space = checkNb101Data(dataDir)[3];
    expect(space.status).toBe('BAD');
    expect(space.detail).toMatch(/nb101-space\.csv\.gz: sha256 [0-9a-f]{64}, not the published 3014306/);
  });
});
