import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveDataDir, UserError } from '@dcl-enas/common';
import { parseHeader } from './header';
import { checkRecordSync, readRecord, readRecordSync } from './read-record';

const mitdb = join(resolveDataDir(), 'mitdb');
const hea = readFileSync(join(mitdb, '100.hea'), 'latin1');
const tmp = mkdtempSync(join(tmpdir(), 'wfdb-validation-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let dirs = 0;

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).not.toMatch(/[\r\n]/);
    return (err as Error).message;
  }
  throw new Error('accepted');
}

/** Record 100 copied into a fresh folder, with `change` applied there. */
function record100(change: (dir: string) => void = () => undefined): string {
  const dir = join(tmp, `r${dirs++}`);
  mkdirSync(dir);
  for (const e of ['hea', 'dat', 'atr']) copyFileSync(join(mitdb, `100.${e}`), join(dir, `100.${e}`));
  change(dir);
  return dir;
}

describe('header values out of range', () => {
  const cases: [string, string, string, RegExp][] = [
    ['an infinite sampling frequency', '100 2 360 ', '100 2 1e400 ', /sampling frequency "1e400" is not a positive number/],
    ['a sample count beyond any integer', '360 650000', '360 99999999999999999999', /number of samples 99999999999999999999 is out of range \(must be >= 0\)/],
    ['an absurd number of signals', '100 2 360', '100 100000 360', /number of signals 100000 is out of range \(must be in \[0, 4096\]\)/],
    ['an infinite gain', '212 200 11 1024 995', '212 1e400 11 1024 995', /signal 0 has gain "1e400", not a finite number/],
    ['a checksum outside 16 bits', '995 -22131 0 MLII', '995 -40000 0 MLII', /checksum -40000 is out of range \(must be in \[-32768, 32767\]\)/],
    ['a first value outside 16 bits', '1024 995 -22131', '1024 99500 -22131', /first value 99500 is out of range/],
    ['an ADC resolution beyond 32 bits', '200 11 1024 995', '200 99 1024 995', /ADC resolution 99 is out of range \(must be in \[0, 32\]\)/],
    ['a baseline outside 16 bits', '212 200 11 1024 995', '212 200(70000) 11 1024 995', /baseline 70000 is out of range/],
    ['a byte offset beyond any integer', '100.dat 212 200 11 1024 995', '100.dat 212+99999999999999999999 200 11 1024 995', /signal 0 byte offset 99999999999999999999 is out of range/],
  ];
  it.each(cases)('%s: one line naming the file and the field', (_name, from, to, message) => {
    expect(hea).toContain(from);
    expect(messageOf(() => parseHeader(hea.replace(from, to), '100.hea'))).toMatch(new RegExp(`^100\\.hea: ${message.source}[^;]* at byte \\d+; `));
  });
});

describe('checkRecordSync: header, annotations and signal file sizes without decoding samples', () => {
  it('passes record 100 and returns its header and annotations', () => {
    const { header, annotations } = checkRecordSync(mitdb, '100');
    expect(header.nSamples).toBe(650000);
    expect(annotations).toEqual(readRecordSync(mitdb, '100').annotations);
  });

  it('refuses a signal file of the wrong size, an annotation past the end, a bad header', () => {
    const short = record100((dir) => writeFileSync(join(dir, '100.dat'), readFileSync(join(mitdb, '100.dat')).subarray(0, 1000)));
    expect(messageOf(() => checkRecordSync(short, '100'))).toMatch(/100\.dat: the file has 1000 bytes but its header implies 1950000 \(650000 samples of 2 signal\(s\)\); the file is damaged or truncated/);
    const late = record100((dir) => {
      const atr = readFileSync(join(mitdb, '100.atr'));
      const skip = Buffer.from([0x00, 59 << 2, 0x0f, 0x00, 0x00, 0x00]);
      writeFileSync(join(dir, '100.atr'), Buffer.concat([atr.subarray(0, atr.length - 2), skip, Buffer.from([0x01, 0x04, 0x00, 0x00])]));
    });
    expect(messageOf(() => checkRecordSync(late, '100'))).toMatch(/100\.atr: annotation at sample \d+ lies past the record's 650000 samples at byte \d+/);
    const badHeader = record100((dir) => writeFileSync(join(dir, '100.hea'), hea.replace('-22131', '-40000')));
    expect(messageOf(() => checkRecordSync(badHeader, '100'))).toMatch(/100\.hea: checksum -40000 is out of range/);
  });

  it('names a directory, an empty file or a missing file in place of a record file, for every reader', async () => {
    const dirAtr = record100((dir) => {
      rmSync(join(dir, '100.atr'));
      mkdirSync(join(dir, '100.atr'));
    });
    const isDir = new RegExp(`^${join(dirAtr, '100.atr')} is a directory, not a file; `);
    expect(messageOf(() => checkRecordSync(dirAtr, '100'))).toMatch(isDir);
    expect(messageOf(() => readRecordSync(dirAtr, '100'))).toMatch(isDir);
    await expect(readRecord(dirAtr, '100')).rejects.toThrow(isDir);
    const emptyHea = record100((dir) => writeFileSync(join(dir, '100.hea'), ''));
    expect(messageOf(() => checkRecordSync(emptyHea, '100'))).toMatch(/100\.hea: no record line found .* at byte 0; /);
    const dirDat = record100((dir) => {
      rmSync(join(dir, '100.dat'));
      mkdirSync(join(dir, '100.dat'));
    });
    expect(messageOf(() => checkRecordSync(dirDat, '100'))).toMatch(/100\.dat is a directory, not a file; /);
    const noDat = record100((dir) => rmSync(join(dir, '100.dat')));
    expect(messageOf(() => checkRecordSync(noDat, '100'))).toMatch(/^missing WFDB file .*100\.dat: /);
  });
});
