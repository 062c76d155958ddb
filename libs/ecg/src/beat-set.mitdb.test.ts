import { copyFileSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveDataDir } from '@dcl-enas/common';
import { decodeAnnotations, readRecordSync } from '@dcl-enas/wfdb';
import { AAMI_CLASS_COUNT, aamiLabelOf } from './aami';
import type { BeatSet } from './beat-set';
import { buildBeatSet, type BeatSetBuild } from './build-beat-set';
import { DS1_RECORDS, DS2_RECORDS, NON_PACED_RECORDS, PACED_RECORDS } from './records';
import { MAX_RR_SECONDS, RR_FEATURE_COUNT } from './rr-features';
import { splitInterPatient } from './split';
import { DEFAULT_WINDOW } from './window-config';

// Reference counts: the data folder's README.txt and mitdb_beat_counts.csv.
const mitdb = join(resolveDataDir(), 'mitdb');
const csvRows = readFileSync(join(mitdb, 'mitdb_beat_counts.csv'), 'utf8').trim().split(/\r?\n/).slice(1).map((l) => l.split(','));
const csvClasses = new Map(csvRows.map((c) => [c[0], c.slice(7, 12).map(Number)]));

/** Byte equality of every array of two beat sets (vitest's deep equality is far too slow for 25M floats). */
function sameBeats(a: BeatSet, b: BeatSet): boolean {
  const bytes = (x: ArrayBufferView) => Buffer.from(x.buffer, x.byteOffset, x.byteLength);
  return a.size === b.size && a.windowLength === b.windowLength
    && (['windows', 'labels', 'records', 'samples', 'rr'] as const).every((k) => bytes(a[k]).equals(bytes(b[k])));
}

const sum = (rows: (readonly number[])[]): number[] => rows.reduce<number[]>((acc, r) => acc.map((v, k) => v + r[k]), new Array<number>(AAMI_CLASS_COUNT).fill(0));

let cacheDir = '';
let first: BeatSetBuild;
let firstMs = 0;
beforeAll(async () => {
  cacheDir = mkdtempSync(join(tmpdir(), 'ecg-cache-'));
  const t0 = performance.now();
  first = await buildBeatSet({ cacheDir, mitdbDir: mitdb });
  firstMs = performance.now() - t0;
});
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

describe('AAMI beat counts', () => {
  it('match the README for DS1 and DS2', () => {
    const byRecord = new Map(first.perRecord.map((r) => [r.record, r.annotated]));
    expect([...byRecord.keys()].sort()).toEqual([...NON_PACED_RECORDS].sort());
    expect(sum(DS1_RECORDS.map((r) => byRecord.get(r) ?? []))).toEqual([45866, 944, 3788, 415, 8]);
    expect(sum(DS2_RECORDS.map((r) => byRecord.get(r) ?? []))).toEqual([44259, 1837, 3221, 388, 7]);
    for (const [record, counts] of byRecord) expect(counts, String(record)).toEqual(csvClasses.get(String(record)));
  });

  it('match the README for the paced records and all 48 together', () => {
    const countsOf = (record: number): number[] => {
      const path = join(mitdb, `${record}.atr`);
      const counts = new Array<number>(AAMI_CLASS_COUNT).fill(0);
      for (const a of decodeAnnotations(readFileSync(path), path)) if (aamiLabelOf(a.symbol) >= 0) counts[aamiLabelOf(a.symbol)]++;
      return counts;
    };
    const paced = sum(PACED_RECORDS.map(countsOf));
    expect(paced).toEqual([506, 0, 227, 0, 8028]);
    const all = sum([paced, ...first.perRecord.map((r) => r.annotated)]);
    expect(all).toEqual([90631, 2781, 7236, 803, 8043]);
    expect(all.reduce((a, b) => a + b, 0)).toBe(109494);
  });
});

describe('the beat set', () => {
  it('keeps every annotated beat except those whose window passes a signal edge', () => {
    const L = DEFAULT_WINDOW.before + DEFAULT_WINDOW.after;
    expect(first.beats.windowLength).toBe(256);
    const annotated = first.perRecord.reduce((s, r) => s + r.annotated.reduce((a, b) => a + b, 0), 0);
    expect(first.beats.size + first.dropped).toBe(annotated);
    for (const r of first.perRecord) {
      const atr = join(mitdb, `${r.record}.atr`);
      const beats = decodeAnnotations(readFileSync(atr), atr).filter((a) => aamiLabelOf(a.symbol) >= 0);
      const outside = beats.filter((a) => a.sample - DEFAULT_WINDOW.before < 0 || a.sample - DEFAULT_WINDOW.before + L > 650000).length;
      expect(r.dropped, String(r.record)).toBe(outside);
      expect(r.kept + r.dropped).toBe(beats.length);
    }
    expect(first.dropped).toBeGreaterThan(0);
  });

  it('has labels 0..4, record ids, finite z-scored windows and RR features', () => {
    const { beats } = first;
    expect(beats.windows).toHaveLength(beats.size * 256);
    expect(beats.rr).toHaveLength(beats.size * RR_FEATURE_COUNT);
    expect(beats.labels.every((l) => l < AAMI_CLASS_COUNT)).toBe(true);
    expect(new Set(beats.records)).toEqual(new Set(NON_PACED_RECORDS));
    for (const row of [0, 12345, beats.size - 1]) {
      const w = beats.windows.subarray(row * 256, (row + 1) * 256);
      const mean = w.reduce((a, b) => a + b, 0) / 256;
      const std = Math.sqrt(w.reduce((a, b) => a + (b - mean) ** 2, 0) / 256);
      expect(mean).toBeCloseTo(0, 4);
      expect(std).toBeCloseTo(1, 4);
    }
    expect(beats.windows.every(Number.isFinite)).toBe(true);
    // Record 207's flutter episodes leave gaps of up to 100 s between beat annotations.
    expect(Math.max(...beats.rr.filter((_, i) => beats.records[Math.floor(i / RR_FEATURE_COUNT)] === 207))).toBe(MAX_RR_SECONDS);
    expect(beats.rr.every((v) => v > 0 && v <= MAX_RR_SECONDS)).toBe(true);
  });

  it('reads MLII, which is the second signal of record 114', async () => {
    const only114 = await buildBeatSet({ mitdbDir: mitdb, records: [114], cacheDir: null, normalize: 'mv', window: { baselineMs: null } });
    const raw = readRecordSync(mitdb, '114').signals[1];
    const row = 100;
    const start = only114.beats.samples[row] - DEFAULT_WINDOW.before;
    const expected = Array.from(raw.subarray(start, start + 256), (v) => (v - 1024) / 200);
    expect(Array.from(only114.beats.windows.subarray(row * 256, (row + 1) * 256))).toEqual(expected.map(Math.fround));
  });

  it('is read back from the cache on the second build, identical and faster', async () => {
    expect(first.fromCache).toBe(false);
    expect(first.cacheError).toBeNull();
    const t0 = performance.now();
    const second = await buildBeatSet({ cacheDir, mitdbDir: mitdb });
    const secondMs = performance.now() - t0;
    console.info(`beat set: first build ${firstMs.toFixed(0)} ms, from cache ${secondMs.toFixed(0)} ms`);
    expect(second.fromCache).toBe(true);
    expect(secondMs).toBeLessThan(firstMs);
    expect(second.cacheFile).toBe(first.cacheFile);
    expect(sameBeats(second.beats, first.beats)).toBe(true);
    expect(second.perRecord).toEqual(first.perRecord);
  });

  it('refuses paced records', async () => {
    await expect(buildBeatSet({ mitdbDir: mitdb, records: [101, 217], cacheDir: null })).rejects.toThrow(/paced records 217/);
  });
});

describe('the cache key', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ecg-cache-key-'));
    for (const r of ['101', '209']) for (const e of ['hea', 'dat', 'atr']) copyFileSync(join(mitdb, `${r}.${e}`), join(dir, `${r}.${e}`));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('changes with the window settings and with a data file\'s mtime, and survives a damaged cache file', async () => {
    const opts = { mitdbDir: dir, records: [101, 209], cacheDir: join(dir, 'cache') };
    const a = await buildBeatSet(opts);
    expect((await buildBeatSet(opts)).fromCache).toBe(true);
    const narrower = await buildBeatSet({ ...opts, window: { before: 64, after: 64 } });
    expect(narrower.fromCache).toBe(false);
    expect(narrower.cacheFile).not.toBe(a.cacheFile);
    expect(narrower.beats.windowLength).toBe(128);

    utimesSync(join(dir, '209.atr'), new Date(), new Date(Date.now() + 5000));
    const touched = await buildBeatSet(opts);
    expect(touched.fromCache).toBe(false);
    expect(sameBeats(touched.beats, a.beats)).toBe(true);

    writeFileSync(touched.cacheFile ?? '', 'not a cache file');
    const rebuilt = await buildBeatSet(opts);
    expect(rebuilt.fromCache).toBe(false);
    expect(sameBeats(rebuilt.beats, a.beats)).toBe(true);
    expect((await buildBeatSet(opts)).fromCache).toBe(true);
  });
});

describe('the inter-patient split', () => {
  it('never mixes DS1 and DS2, and holds out whole DS1 records', () => {
    const split = splitInterPatient(first.beats, { seed: 3 });
    const train = new Set(split.train.records);
    const holdout = new Set(split.holdout.records);
    const test = new Set(split.test.records);
    expect([...test].sort()).toEqual([...DS2_RECORDS].sort());
    expect([...train, ...holdout].sort()).toEqual([...DS1_RECORDS].sort());
    for (const r of holdout) expect(train.has(r) || test.has(r)).toBe(false);
    for (const r of train) expect(test.has(r)).toBe(false);
    expect(split.holdoutRecords).toHaveLength(4);
    expect([...holdout].sort()).toEqual([...split.holdoutRecords].sort());
    // Whole records: every beat of a hold-out record is in the hold-out.
    const inSet = first.beats.records.filter((r) => holdout.has(r)).length;
    expect(split.holdout.size).toBe(inSet);
    expect(split.train.size + split.holdout.size + split.test.size).toBe(first.beats.size);
    expect(splitInterPatient(first.beats, { seed: 3 }).holdoutRecords).toEqual(split.holdoutRecords);
  });
});
