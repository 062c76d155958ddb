import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveDataDir, UserError } from '@dcl-enas/common';
import { readRecord, readRecordSync, type WfdbRecord } from './read-record';
import { signalChecksum } from './format212';
import { toPhysical } from './physical';
import { WfdbFormatError } from './errors';

// The reference figures below are those of the data folder's README.txt and mitdb_beat_counts.csv.
const mitdb = join(resolveDataDir(), 'mitdb');
const names = readFileSync(join(mitdb, 'RECORDS'), 'utf8').split(/\s+/).filter(Boolean);
const csv = readFileSync(join(mitdb, 'mitdb_beat_counts.csv'), 'utf8').trim().split(/\r?\n/);
const columns = csv[0].split(',');
const allRows = new Map(csv.slice(1).map((line) => {
  const cells = line.split(',');
  return [cells[0], Object.fromEntries(columns.map((c, i) => [c, cells[i]]))];
}));
const rows = new Map([...allRows].filter(([name]) => name !== 'TOTAL'));

const records = new Map<string, WfdbRecord>();
beforeAll(async () => {
  for (const name of names) records.set(name, await readRecord(mitdb, name));
});

describe('all 48 MIT-BIH records', () => {
  it('are all read', () => {
    expect(names).toHaveLength(48);
    expect(records.size).toBe(48);
  });

  it('match every header first value and checksum', () => {
    let checked = 0;
    for (const [name, rec] of records) {
      expect(rec.signals.map((s) => s.length), name).toEqual([650000, 650000]);
      rec.signals.forEach((s, i) => {
        expect(s[0], `${name} signal ${i}`).toBe(rec.header.signals[i].firstValue);
        expect(signalChecksum(s), `${name} signal ${i}`).toBe(rec.header.signals[i].checksum);
        checked++;
      });
    }
    expect(checked).toBe(96);
  });

  it('hold 112,647 annotations with the README symbol counts', () => {
    const counts: Record<string, number> = {};
    let total = 0;
    for (const rec of records.values()) {
      for (const a of rec.annotations ?? []) counts[a.symbol] = (counts[a.symbol] ?? 0) + 1;
      total += rec.annotations?.length ?? 0;
    }
    expect(total).toBe(112647);
    expect(total).toBe(Number(allRows.get('TOTAL')?.['n_annotations']));
    expect(counts).toEqual({
      N: 75052, L: 8075, R: 7259, V: 7130, '/': 7028, A: 2546, f: 982, F: 803, j: 229, a: 150, E: 106,
      J: 83, Q: 33, e: 16, S: 2, '+': 1291, '~': 616, '!': 472, '"': 437, x: 193, '|': 132, '[': 6, ']': 6,
    });
  });

  it('match the per-record annotation counts and leads of mitdb_beat_counts.csv', () => {
    expect(rows.size).toBe(48);
    for (const [name, rec] of records) {
      const row = rows.get(name);
      expect(row, name).toBeDefined();
      expect(rec.annotations?.length, name).toBe(Number(row?.['n_annotations']));
      expect(rec.header.signals.map((s) => s.description), name).toEqual([row?.['lead0'], row?.['lead1']]);
      expect(rec.header.samplingFrequency).toBe(Number(row?.['fs']));
    }
  });

  it('put the first annotations of record 100 where WFDB does', () => {
    const anns = records.get('100')?.annotations ?? [];
    expect(anns[0]).toMatchObject({ symbol: '+', sample: 18, aux: '(N' });
    expect(anns[1]).toMatchObject({ symbol: 'N', sample: 77, aux: null });
    // Every rhythm change carries its rhythm label.
    for (const rec of records.values()) for (const a of rec.annotations ?? []) if (a.symbol === '+') expect(a.aux).toMatch(/^\(/);
  });

  it('convert to millivolts with (adu - 1024) / 200', () => {
    const rec = records.get('100');
    if (!rec) throw new Error('record 100 missing');
    const mv = toPhysical(rec.signals[0], rec.header.signals[0]);
    expect(mv[0]).toBeCloseTo((995 - 1024) / 200, 6);
  });

  it('read the same synchronously', () => {
    const sync = readRecordSync(mitdb, '114');
    const async = records.get('114');
    expect(sync.header).toEqual(async?.header);
    expect(sync.signals[1]).toEqual(async?.signals[1]);
    expect(sync.annotations).toEqual(async?.annotations);
  });
});

describe('damaged copies of record 100', () => {
  let dir = '';
  const original = (ext: string) => readFileSync(join(mitdb, `100.${ext}`));
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'wfdb-damaged-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Writes record 100 into the temp dir with one file replaced, and returns the read error. */
  function readDamaged(ext: 'hea' | 'dat' | 'atr', bytes: Uint8Array): WfdbFormatError {
    for (const e of ['hea', 'dat', 'atr']) copyFileSync(join(mitdb, `100.${e}`), join(dir, `100.${e}`));
    writeFileSync(join(dir, `100.${ext}`), bytes);
    try {
      readRecordSync(dir, '100');
    } catch (err) {
      if (err instanceof WfdbFormatError) return err;
      throw err;
    }
    throw new Error(`damaged 100.${ext} was read without an error`);
  }

  it('truncated .dat: names the file and the byte where the data ends', () => {
    const e = readDamaged('dat', original('dat').subarray(0, 1_200_001));
    expect(e.file).toBe(join(dir, '100.dat'));
    expect(e.offset).toBe(1_200_001);
    expect(e.message).toContain(`${join(dir, '100.dat')}: data ends after 400000 of 650000 samples per signal`);
    expect(e).toBeInstanceOf(UserError);
  });

  it('overlong .dat: names the first extra byte', () => {
    expect(readDamaged('dat', Buffer.concat([original('dat'), Buffer.from([1, 2, 3])])).offset).toBe(1_950_000);
  });

  it('.dat with a changed first sample: first-value mismatch at byte 0', () => {
    const dat = Buffer.from(original('dat'));
    dat[0] ^= 0x01;
    const e = readDamaged('dat', dat);
    expect(e.offset).toBe(0);
    expect(e.message).toContain('signal "MLII" starts with 994 but its header says 995');
  });

  it('.dat damaged in the middle: checksum mismatch for the signal hit', () => {
    const dat = Buffer.from(original('dat'));
    dat[1_000_004] ^= 0x10; // third byte of a frame: low byte of signal 1 (V5)
    const e = readDamaged('dat', dat);
    expect(e.offset).toBeNull();
    expect(e.message).toMatch(/signal "V5" has checksum \d+ but its header says 20052/);
  });

  it('.atr without its end marker, or cut mid-word', () => {
    const atr = original('atr');
    expect(readDamaged('atr', atr.subarray(0, atr.length - 2)).offset).toBe(atr.length - 2);
    expect(readDamaged('atr', atr.subarray(0, atr.length - 3)).offset).toBe(atr.length - 4);
  });

  it('.atr with an undefined code or a cut AUX text', () => {
    const atr = Buffer.from(original('atr'));
    atr.writeUInt16LE((55 << 10) | 3, 100);
    const e = readDamaged('atr', atr);
    expect(e.offset).toBe(100);
    expect(e.message).toContain('undefined annotation code 55');
    // Word 1 of 100.atr is the AUX word holding "(N"; cut inside its text.
    expect(readDamaged('atr', original('atr').subarray(0, 5)).offset).toBe(2);
  });

  it('.atr with an annotation past the end of the signals', () => {
    const atr = original('atr');
    const body = atr.subarray(0, atr.length - 2);
    const skipWord = Buffer.from([0x00, 59 << 2, 0x0f, 0x00, 0x00, 0x00]); // SKIP of 0x000f0000 = 983040 samples
    const e = readDamaged('atr', Buffer.concat([body, skipWord, Buffer.from([0x01, 0x04, 0x00, 0x00])]));
    expect(e.offset).toBe(body.length + skipWord.length);
    expect(e.message).toMatch(/annotation at sample \d+ lies past the record's 650000 samples/);
  });

  it('.hea cut short or with a damaged field', () => {
    const hea = original('hea');
    const cut = hea.subarray(0, 30);
    expect(readDamaged('hea', cut).offset).toBe(30);
    const text = hea.toString('latin1');
    const e = readDamaged('hea', Buffer.from(text.replace(' 11 1024 995', ' 11 10z4 995'), 'latin1'));
    expect(e.offset).toBe(text.indexOf('1024 995'));
    expect(e.message).toContain('ADC zero "10z4" is not an integer');
  });

  it('a missing file is a one-line user error', () => {
    rmSync(join(dir, '100.atr'), { force: true });
    copyFileSync(join(mitdb, '100.hea'), join(dir, '100.hea'));
    copyFileSync(join(mitdb, '100.dat'), join(dir, '100.dat'));
    expect(() => readRecordSync(dir, '100')).toThrow(/^missing WFDB file .*100\.atr: /);
  });
});
