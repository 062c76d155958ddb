import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { checkByLoading, type DataCheck } from '@dcl-enas/common';
import { loadNb201, NB201_FILE } from './nb201/nb201-table';
import { loadNb101, NB101_DIR, NB101_RELEASE_FILES, type Nb101LoadOptions } from './nb101/nb101-load';
import { NB101_SUBSET_FILE, readNb101Subset } from './nb101/nb101-subset';

/** NB101 files in the data folder that no loader reads yet: reported as present, not validated. */
export const NB101_UNREAD_FILES = ['nb101-space.csv.gz', 'nb101-sample20k.csv.gz'] as const;

/** The NB201 table, loaded and validated in full exactly as a search loads it. */
export function checkNb201Data(dataDir: string): DataCheck {
  const file = join(dataDir, NB201_FILE);
  if (!existsSync(file)) return { name: 'nb201', status: 'MISSING', detail: `${file} not found: place the NAS-Bench-201 table (${NB201_FILE}) there or set ENAS_DATA_DIR` };
  return checkByLoading('nb201', () => `${loadNb201(dataDir).trainSeconds.length} cells (${file})`);
}

/** Every NB101 file present, each through its loader: the shipped subset, and the official release when placed there. */
export function checkNb101Data(dataDir: string, options: Nb101LoadOptions = {}): DataCheck {
  const dir = join(dataDir, NB101_DIR);
  const subset = join(dir, NB101_SUBSET_FILE);
  const release = NB101_RELEASE_FILES.find((f) => existsSync(join(dir, f)));
  const unread = NB101_UNREAD_FILES.filter((f) => existsSync(join(dir, f)));
  const extra = unread.length > 0 ? `; also present, not read by any loader yet: ${unread.join(', ')}` : '';
  if (!existsSync(subset) && !release) {
    return { name: 'nb101', status: 'MISSING', detail: `no NB101 table in ${dir}: place nasbench_only108.tfrecord (official NAS-Bench-101 release) there${extra}` };
  }
  return checkByLoading('nb101', () => {
    const parts: string[] = [];
    if (existsSync(subset)) parts.push(`500-line subset (${readNb101Subset(subset).size} distinct cells)`);
    if (release) {
      const loaded = loadNb101(dataDir, options);
      parts.push(`full release ${loaded.file} (${loaded.table.size} cells)`);
    } else {
      parts.push(`no full release: a search needs nasbench_only108.tfrecord from the official NAS-Bench-101 release in ${dir}`);
    }
    return parts.join('; ') + extra;
  });
}
