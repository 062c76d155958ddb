import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveDataDir } from '@dcl-enas/common';
import { checkMitdbData, MITDB_RECORDS } from './data-check';

const mitdb = join(resolveDataDir(), 'mitdb');
const tmp = mkdtempSync(join(tmpdir(), 'mitdb-check-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let dirs = 0;

/** A folder of links to the 48 real records, with `change` applied. */
function mitdbCopy(change: (dir: string) => void): string {
  const dir = join(tmp, `mitdb-${dirs++}`);
  mkdirSync(dir);
  for (const r of MITDB_RECORDS) for (const ext of ['hea', 'dat', 'atr']) symlinkSync(join(mitdb, `${r}.${ext}`), join(dir, `${r}.${ext}`));
  change(dir);
  return dir;
}

describe('checkMitdbData', () => {
  it('passes the 48 shipped records', () => {
    expect(MITDB_RECORDS).toHaveLength(48);
    expect(checkMitdbData(mitdb)).toEqual({ name: 'mitdb', status: 'ok', detail: `48 of 48 records (${mitdb}): headers, annotations and signal file sizes checked` });
  });

  it('says BAD with the reader\'s line for a damaged header, annotation file or signal file', () => {
    const header = mitdbCopy((dir) => {
      rmSync(join(dir, '203.hea'));
      writeFileSync(join(dir, '203.hea'), readFileSync(join(mitdb, '203.hea'), 'latin1').replace(/ 360 /, ' 1e400 '));
    });
    expect(checkMitdbData(header)).toEqual({ name: 'mitdb', status: 'BAD', detail: expect.stringMatching(/^\S+203\.hea: sampling frequency "1e400" is not a positive number at byte \d+; /) });
    const atr = mitdbCopy((dir) => {
      rmSync(join(dir, '119.atr'));
      writeFileSync(join(dir, '119.atr'), readFileSync(join(mitdb, '119.atr')).subarray(0, 101));
    });
    expect(checkMitdbData(atr).detail).toMatch(/119\.atr: file ends in the middle of a 16-bit word \(truncated\) at byte 100; /);
    const dat = mitdbCopy((dir) => {
      rmSync(join(dir, '100.dat'));
      mkdirSync(join(dir, '100.dat'));
      rmSync(join(dir, '234.dat'));
      writeFileSync(join(dir, '234.dat'), 'x');
    });
    expect(checkMitdbData(dat)).toMatchObject({ status: 'BAD', detail: expect.stringMatching(/100\.dat is a directory, not a file; .* \(and 1 more bad records\)$/) });
  });

  it('says MISSING for absent records or folder', () => {
    const gone = mitdbCopy((dir) => rmSync(join(dir, '232.atr')));
    expect(checkMitdbData(gone)).toEqual({ name: 'mitdb', status: 'MISSING', detail: `1 of 48 records lack a .hea, .dat or .atr file in ${gone}: 232` });
    expect(checkMitdbData(join(tmp, 'nowhere'))).toMatchObject({ status: 'MISSING', detail: expect.stringMatching(/^no records in /) });
  });
});
