import { mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveDataDir, UserError } from '@dcl-enas/common';
import { checkNb201Data } from '../data-check';
import { loadNb201, NB201_FILE } from './nb201-table';
import { editedNb201DataDir, nb201DataDir, setNb201Field } from './test-fixtures';

const tmp = mkdtempSync(join(tmpdir(), 'nb201-validation-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const shipped = readFileSync(join(resolveDataDir(), NB201_FILE));

/** The loader's message for a data directory, checked to be a one-line UserError. */
function refusal(dataDir: string): string {
  try {
    loadNb201(dataDir);
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    const message = (err as Error).message;
    expect(message).not.toMatch(/[\r\n]/);
    expect(checkNb201Data(dataDir)).toEqual({ name: 'nb201', status: 'BAD', detail: message });
    return message;
  }
  throw new Error(`the table in ${dataDir} was accepted`);
}
const fileOf = (dataDir: string): string => join(dataDir, NB201_FILE).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('the NB201 loader refuses a bad value with the file, line and column', () => {
  const cases: [string, string, string][] = [
    ['NaN', 'NaN', '"NaN", not a number in [0, 100]'],
    ['a word', 'abc', '"abc", not a number in [0, 100]'],
    ['an overflow to Infinity', '1e400', '"1e400", not a number in [0, 100]'],
    ['an accuracy above 100', '150', '"150", not a number in [0, 100]'],
    ['an empty field', '', 'empty, not a number in [0, 100]'],
    ['a hexadecimal number', '0x10', '"0x10", not a number in [0, 100]'],
    ['blanks around the number', ' 63.3', '" 63.3", not a number in [0, 100]'],
  ];
  it.each(cases)('%s in hp12_c10v_val', (_name, value, what) => {
    const dataDir = editedNb201DataDir(tmp, (lines) => setNb201Field(lines, 8, 'hp12_c10v_val', value));
    expect(refusal(dataDir)).toMatch(new RegExp(`^${fileOf(dataDir)} line 8: column hp12_c10v_val is ${what.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
  });

  it('in any numeric column, used by the loader or not, with its own range', () => {
    const negativeTime = editedNb201DataDir(tmp, (lines) => setNb201Field(lines, 3, 'hp12_c10v_train_time_s', '-1'));
    expect(refusal(negativeTime)).toMatch(/ line 3: column hp12_c10v_train_time_s is "-1", not a number >= 0$/);
    const params = editedNb201DataDir(tmp, (lines) => setNb201Field(lines, 15626, 'params_in16_M', 'Infinity'));
    expect(refusal(params)).toMatch(/ line 15626: column params_in16_M is "Infinity", not a number >= 0$/);
    const naslib = editedNb201DataDir(tmp, (lines) => setNb201Field(lines, 2, 'naslib_c10_val_accuracy', '-0.1'));
    expect(refusal(naslib)).toMatch(/ line 2: column naslib_c10_val_accuracy is "-0.1", not a number in \[0, 100\]$/);
    const idx = editedNb201DataDir(tmp, (lines) => setNb201Field(lines, 2, 'idx', '15625'));
    expect(refusal(idx)).toMatch(/ line 2: column idx is "15625", not an integer in \[0, 15624\]$/);
    const arch = editedNb201DataDir(tmp, (lines) => setNb201Field(lines, 5, 'arch', '|bogus~0|'));
    expect(refusal(arch)).toMatch(/ line 5: column arch is "\|bogus~0\|", not an NB201 cell/);
  });
});

describe('the NB201 loader refuses an incomplete table', () => {
  it('a line missing a field', () => {
    const dataDir = editedNb201DataDir(tmp, (lines) => {
      lines[7] = lines[7].replace(/,[^,]*$/, '\r');
    });
    expect(refusal(dataDir)).toMatch(new RegExp(`^${fileOf(dataDir)} line 8: has 16 field\\(s\\), expected 17 \\(idx,arch,`));
  });

  it('a column missing from the header and every line', () => {
    const dataDir = editedNb201DataDir(tmp, (lines) => {
      for (let i = 0; i < lines.length; i++) lines[i] = lines[i].split(',').filter((_, c) => c !== 5).join(',');
    });
    expect(refusal(dataDir)).toMatch(/: column "naslib_c10_val_accuracy" is missing; the file is not the expected NAS-Bench-201 table/);
  });

  it('a line that is not there, a line twice, a blank line, a repeated idx', () => {
    expect(refusal(editedNb201DataDir(tmp, (lines) => lines.splice(100, 1)))).toMatch(/: 1 of 15625 cells are missing/);
    expect(refusal(editedNb201DataDir(tmp, (lines) => lines.splice(100, 0, lines[50])))).toMatch(/ line 101: repeats cell \|/);
    expect(refusal(editedNb201DataDir(tmp, (lines) => lines.splice(100, 0, '\r')))).toMatch(/ line 101: has 1 field\(s\), expected 17/);
    const twiceIdx = editedNb201DataDir(tmp, (lines) => setNb201Field(lines, 3, 'idx', lines[1].split(',')[0]));
    expect(refusal(twiceIdx)).toMatch(/ line 3: column idx is "0", which an earlier line already has/);
  });
});

describe('the NB201 loader refuses a damaged file in one line', () => {
  it('a truncated .gz file', () => {
    const dataDir = nb201DataDir(tmp, shipped.subarray(0, shipped.length >> 1));
    expect(refusal(dataDir)).toMatch(new RegExp(`^${fileOf(dataDir)}: the gzip stream ends early \\(the file is truncated\\); re-copy`));
  });

  it('a corrupt .gz file, and a file that is not gzip', () => {
    const corrupt = Buffer.from(shipped);
    for (let i = 1000; i < 1100; i++) corrupt[i] ^= 0x5a;
    expect(refusal(nb201DataDir(tmp, corrupt))).toMatch(/nb201\.csv\.gz: not a valid gzip file \(.+\); re-copy/);
    expect(refusal(nb201DataDir(tmp, 'idx,arch\n'))).toMatch(/nb201\.csv\.gz: not a valid gzip file \(incorrect header check\)/);
  });

  it('a directory in place of the file, an empty file, an absurdly large file', () => {
    const dirDir = mkdtempSync(join(tmp, 'dir-'));
    mkdirSync(join(dirDir, NB201_FILE), { recursive: true });
    expect(refusal(dirDir)).toBe(`${join(dirDir, NB201_FILE)} is a directory, not a file; re-copy nasbench201/nb201.csv.gz from the data set (see nasbench201/README.txt)`);
    expect(refusal(nb201DataDir(tmp, ''))).toMatch(/nb201\.csv\.gz is empty; /);
    const big = nb201DataDir(tmp, '');
    truncateSync(join(big, NB201_FILE), 17 << 20);
    expect(refusal(big)).toMatch(/nb201\.csv\.gz is 17825792 bytes, more than the 16777216 this data file can be/);
  });

  it('a file that decompresses to far more than the table', () => {
    const dataDir = editedNb201DataDir(tmp, (lines) => lines.push(...Array.from({ length: 30 }, () => 'x'.repeat(3 << 20))));
    expect(refusal(dataDir)).toMatch(/nb201\.csv\.gz: decompresses to more than 67108864 bytes/);
  });

  it('reports a missing table as MISSING, not BAD', () => {
    expect(checkNb201Data(tmp)).toMatchObject({ name: 'nb201', status: 'MISSING' });
  });
});

describe('the shipped table', () => {
  it('passes every check', () => {
    expect(checkNb201Data(resolveDataDir())).toMatchObject({ status: 'ok', detail: expect.stringMatching(/^15625 cells/) });
  });
});
