import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { checkDataFileSync, UserError } from '@dcl-enas/common';
import { cachePathFor, defaultCacheDir, readTableCache, stampOf, writeTableCache } from './nb101-cache';
import { readNb101Release, releaseFileLimit } from './nb101-release';
import { NB101_SAMPLE_FILE } from './nb101-csv';
import { readNb101Sample } from './nb101-sample';
import { NB101_SUBSET_FILE, readNb101Subset } from './nb101-subset';
import type { Nb101Table } from './nb101-table';

export const NB101_DIR = 'nasbench101';
/** Official release files, in order of preference (nasbench_full also holds 4/12/36 epochs). */
export const NB101_RELEASE_FILES = ['nasbench_only108.tfrecord', 'nasbench_full.tfrecord'] as const;

export interface Nb101LoadOptions {
  /** Where the binary table cache lives; null turns the cache off. Default: defaultCacheDir(). */
  readonly cacheDir?: string | null;
}

export interface Nb101Loaded {
  readonly table: Nb101Table;
  /** True when the table is the official release (all 423,624 cells), false for the 20,001-cell sample or the 500-line subset. */
  readonly full: boolean;
  readonly file: string;
  /** What happened with the binary cache of the release: read, written, or not used. */
  readonly cache: 'hit' | 'written' | 'unwritable' | 'off';
}

const memo = new Map<string, Nb101Loaded>();

/**
 * The NB101 table from `<dataDir>/nasbench101/`: the official release when
 * nasbench_only108.tfrecord (or nasbench_full.tfrecord) is there, else the 20,001-cell sample
 * (nb101-sample20k.csv.gz), else the 500-line subset.
 * The release is decoded once and kept as a binary cache keyed by the file's size and mtime,
 * so later loads are fast; within a process the table is loaded once.
 */
export function loadNb101(dataDir: string, options: Nb101LoadOptions = {}): Nb101Loaded {
  const dir = join(dataDir, NB101_DIR);
  const release = NB101_RELEASE_FILES.map((f) => join(dir, f)).find((f) => existsSync(f));
  if (release) {
    // before the cache is consulted, so a directory or an empty file in its place is named as such
    checkDataFileSync(release, releaseFileLimit(release));
    const stamp = stampOf(release);
    const memoKey = `${release}|${stamp.size}|${stamp.mtimeMs}`;
    const known = memo.get(memoKey);
    if (known) return known;
    const cacheDir = options.cacheDir === undefined ? defaultCacheDir() : options.cacheDir;
    const cachePath = cacheDir === null ? null : cachePathFor(release, stamp, cacheDir);
    const cached = cachePath ? readTableCache(cachePath, stamp) : null;
    let loaded: Nb101Loaded;
    if (cached) {
      loaded = { table: cached, full: true, file: release, cache: 'hit' };
    } else {
      const table = readNb101Release(release);
      const cache = cachePath === null ? 'off' : writeTableCache(cachePath, stamp, table) ? 'written' : 'unwritable';
      loaded = { table, full: true, file: release, cache };
    }
    memo.set(memoKey, loaded);
    return loaded;
  }
  const sample = join(dir, NB101_SAMPLE_FILE);
  if (existsSync(sample)) return memoised(sample, () => readNb101Sample(sample));
  const subset = join(dir, NB101_SUBSET_FILE);
  if (!existsSync(subset)) {
    throw new UserError(
      `no NAS-Bench-101 data in ${dir}: place nasbench_only108.tfrecord from the official NAS-Bench-101 release there (or point ENAS_DATA_DIR at a data folder holding ${NB101_DIR}/${NB101_SAMPLE_FILE} or ${NB101_DIR}/${NB101_SUBSET_FILE})`,
    );
  }
  return memoised(subset, () => readNb101Subset(subset));
}

/** A table that is not the release (no binary cache), read once per process. */
function memoised(file: string, read: () => Nb101Table): Nb101Loaded {
  const known = memo.get(file);
  if (known) return known;
  const loaded: Nb101Loaded = { table: read(), full: false, file, cache: 'off' };
  memo.set(file, loaded);
  return loaded;
}

/** The one-line error for a search on NB101 without the full release: what is missing and how to get it. */
export function nb101FullReleaseMissingMessage(dataDir: string): string {
  const dir = join(dataDir, NB101_DIR);
  return (
    `search on nb101 needs the full NAS-Bench-101 release, but ${dir} has no ${NB101_RELEASE_FILES[0]} ` +
    `(the shipped 20,001-cell sample and 500-line subset are too few cells to search); ` +
    `download ${NB101_RELEASE_FILES[0]} (about 499 MB) from the official NAS-Bench-101 release ` +
    `(download links in the google-research/nasbench README) and place it in ${dir}/`
  );
}

/** Throws the UserError above unless `loaded` is the full release. */
export function requireFullNb101(loaded: Nb101Loaded, dataDir: string): void {
  if (!loaded.full) throw new UserError(nb101FullReleaseMissingMessage(dataDir));
}
