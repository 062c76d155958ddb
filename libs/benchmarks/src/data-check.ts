import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { checkByLoading, type DataCheck } from '@dcl-enas/common';
import { loadNb201, NB201_FILE } from './nb201/nb201-table';

export { checkNb101Data, NB101_SPACE_SHA256, NB101_SPACE_CELLS } from './nb101/nb101-data-check';

/** The NB201 table, loaded and validated in full exactly as a search loads it. */
export function checkNb201Data(dataDir: string): DataCheck {
  const file = join(dataDir, NB201_FILE);
  if (!existsSync(file)) return { name: 'nb201', status: 'MISSING', detail: `${file} not found: place the NAS-Bench-201 table (${NB201_FILE}) there or set ENAS_DATA_DIR` };
  return checkByLoading('nb201', () => `${loadNb201(dataDir).trainSeconds.length} cells (${file})`);
}
