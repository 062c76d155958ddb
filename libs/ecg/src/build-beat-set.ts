import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { resolveDataDir, UserError } from '@dcl-enas/common';
import { readHeader, readRecord, recordFiles } from '@dcl-enas/wfdb';
import type { BeatSet } from './beat-set';
import { cacheFileName, cacheKey, defaultCacheDir, readBeatCache, writeBeatCache } from './cache';
import { extractRecordBeats, type RecordBeats } from './extract-beats';
import { NON_PACED_RECORDS, PACED_RECORDS, splitOfRecord, type SplitName } from './records';
import { RR_FEATURE_COUNT } from './rr-features';
import { checkWindowConfig, DEFAULT_WINDOW, windowLength, type Normalization, type WindowConfig } from './window-config';

export interface BuildBeatSetOptions {
  /** Folder holding the mitdb records; default resolveDataDir()/mitdb. */
  readonly mitdbDir?: string;
  /** Records to use; default the 44 non-paced records (DS1 and DS2). Paced records are refused. */
  readonly records?: readonly number[];
  readonly window?: Partial<WindowConfig>;
  /** 'zscore' (default): each window scaled to mean 0, std 1; 'mv': baseline-free millivolts. */
  readonly normalize?: Normalization;
  /** Cache folder; default defaultCacheDir(); null builds without a cache. */
  readonly cacheDir?: string | null;
}

export interface RecordSummary {
  readonly record: number;
  readonly split: SplitName | null;
  /** AAMI beats annotated, per class N/S/V/F/Q. */
  readonly annotated: readonly number[];
  /** Beats in the set (annotated minus dropped). */
  readonly kept: number;
  /** Beats left out because their window runs past the signal's start or end. */
  readonly dropped: number;
}

export interface BeatSetBuild {
  readonly beats: BeatSet;
  readonly window: WindowConfig;
  readonly normalize: Normalization;
  readonly perRecord: readonly RecordSummary[];
  readonly dropped: number;
  readonly fromCache: boolean;
  readonly cacheFile: string | null;
  /** Why the cache could not be written (the build itself succeeded), else null. */
  readonly cacheError: string | null;
}

/**
 * Builds the MIT-BIH beat set: one window per AAMI-labelled beat of the chosen lead, with labels,
 * record ids, R-peak positions and RR features. The unscaled windows are cached in a compact
 * binary file keyed by the window settings and the data files' sizes and mtimes.
 */
export async function buildBeatSet(options: BuildBeatSetOptions = {}): Promise<BeatSetBuild> {
  const mitdbDir = resolve(options.mitdbDir ?? join(resolveDataDir(), 'mitdb'));
  if (!existsSync(mitdbDir)) throw new UserError(`MIT-BIH folder ${mitdbDir} does not exist: run \`enas data fetch mitdb\` or set ENAS_DATA_DIR`);
  const records = checkRecords(options.records ?? NON_PACED_RECORDS);
  const window = checkWindowConfig({ ...DEFAULT_WINDOW, ...options.window });
  const normalize = options.normalize ?? 'zscore';
  if (normalize !== 'zscore' && normalize !== 'mv') throw new UserError(`unknown normalisation "${String(normalize)}": use zscore or mv`);
  const cacheDir = options.cacheDir === undefined ? defaultCacheDir() : options.cacheDir;

  let key: string | null = null;
  let cacheFile: string | null = null;
  let cached: RecordBeats[] | null = null;
  if (cacheDir !== null) {
    key = await cacheKey({ mitdbDir, records, window }, await inputFiles(mitdbDir, records));
    cacheFile = join(cacheDir, cacheFileName(key));
    cached = (await readBeatCache(cacheFile, key))?.beats ?? null;
  }

  let perRecordBeats = cached;
  let cacheError: string | null = null;
  if (!perRecordBeats) {
    perRecordBeats = [];
    for (const r of records) perRecordBeats.push(extractRecordBeats(await readRecord(mitdbDir, String(r)), r, window));
    if (cacheFile && key) {
      const target = cacheFile;
      await writeBeatCache(target, key, windowLength(window), perRecordBeats).catch((err: unknown) => {
        cacheError = `could not write ${target}: ${(err as Error).message}`;
      });
    }
  }

  const perRecord = perRecordBeats.map((b) => ({
    record: b.record,
    split: splitOfRecord(b.record),
    annotated: b.annotated,
    kept: b.labels.length,
    dropped: b.dropped,
  }));
  return {
    beats: assemble(perRecordBeats, windowLength(window), normalize),
    window,
    normalize,
    perRecord,
    dropped: perRecord.reduce((sum, r) => sum + r.dropped, 0),
    fromCache: cached !== null,
    cacheFile,
    cacheError,
  };
}

function checkRecords(records: readonly number[]): number[] {
  if (records.length === 0) throw new UserError('no records chosen: give at least one MIT-BIH record number');
  const paced = records.filter((r) => PACED_RECORDS.includes(r));
  if (paced.length > 0) throw new UserError(`paced records ${paced.join(', ')} are left out of the beat set (AAMI practice): choose non-paced records`);
  if (new Set(records).size !== records.length) throw new UserError(`records ${records.join(', ')} contain duplicates: list each record once`);
  return [...records];
}

/** Every file the build reads, for the cache key. */
async function inputFiles(mitdbDir: string, records: readonly number[]): Promise<string[]> {
  const files: string[] = [];
  for (const r of records) {
    const f = recordFiles(mitdbDir, String(r), await readHeader(mitdbDir, String(r)));
    files.push(f.header, ...f.signalFiles, ...(f.annotations ? [f.annotations] : []));
  }
  return files;
}

function assemble(perRecord: readonly RecordBeats[], L: number, normalize: Normalization): BeatSet {
  const size = perRecord.reduce((sum, b) => sum + b.labels.length, 0);
  const windows = new Float32Array(size * L);
  const labels = new Uint8Array(size);
  const records = new Uint16Array(size);
  const samples = new Int32Array(size);
  const rr = new Float32Array(size * RR_FEATURE_COUNT);
  let row = 0;
  for (const b of perRecord) {
    const n = b.labels.length;
    labels.set(b.labels, row);
    records.fill(b.record, row, row + n);
    samples.set(b.samples, row);
    rr.set(b.rr, row * RR_FEATURE_COUNT);
    for (let k = 0; k < n; k++) scaleWindow(b.windows, k * L, L, windows, (row + k) * L, normalize, b.gain);
    row += n;
  }
  return { size, windowLength: L, windows, labels, records, samples, rr };
}

function scaleWindow(src: Int16Array, from: number, L: number, dst: Float32Array, to: number, normalize: Normalization, gain: number): void {
  if (normalize === 'mv') {
    for (let j = 0; j < L; j++) dst[to + j] = src[from + j] / gain;
    return;
  }
  let sum = 0;
  for (let j = 0; j < L; j++) sum += src[from + j];
  const mean = sum / L;
  let sq = 0;
  for (let j = 0; j < L; j++) sq += (src[from + j] - mean) ** 2;
  const std = Math.sqrt(sq / L);
  const inv = std > 1e-6 ? 1 / std : 1;
  for (let j = 0; j < L; j++) dst[to + j] = (src[from + j] - mean) * inv;
}
