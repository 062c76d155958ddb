import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { checkByLoading, readDataFileSync, UserError, type DataCheck } from '@dcl-enas/common';
import { NB101_CSV_FIX, NB101_CSV_LIMIT, NB101_SAMPLE_FILE, NB101_SPACE_FILE } from './nb101-csv';
import { loadNb101, NB101_DIR, NB101_RELEASE_FILES, type Nb101LoadOptions } from './nb101-load';
import { readNb101Sample } from './nb101-sample';
import { NB101_SUBSET_FILE, readNb101Subset } from './nb101-subset';

/** nasbench101/README.txt, "Added": the published sha256 of nb101-space.csv.gz (423,624 cells). */
export const NB101_SPACE_SHA256 = '301430654a67bca7c590185ef190a54e7b92f6a4a7581c4a08015c89d2e16e6c';
export const NB101_SPACE_CELLS = 423_624;

const NAME = 'nb101';
const absent = (part: string, file: string, without: string): DataCheck => ({ name: NAME, status: 'absent', detail: `${part}: no ${file}; ${without}` });
/** Reads one file through its loader: ok with `part: summary`, or BAD with the loader's one line (which names the file). */
const loading = (part: string, load: () => string): DataCheck => checkByLoading(NAME, () => `${part}: ${load()}`);

/**
 * One line for each NB101 file: the official release, the 20,001-cell sample, the 500-line
 * subset and the space, each present (read through its loader, what it allows) or absent. Only
 * when none of the three tables is there is the release line MISSING.
 */
export function checkNb101Data(dataDir: string, options: Nb101LoadOptions = {}): DataCheck[] {
  const dir = join(dataDir, NB101_DIR);
  const at = (f: string): string | undefined => (existsSync(join(dir, f)) ? join(dir, f) : undefined);
  const release = NB101_RELEASE_FILES.find((f) => at(f));
  const [sample, subset, space] = [at(NB101_SAMPLE_FILE), at(NB101_SUBSET_FILE), at(NB101_SPACE_FILE)];
  const noRelease = `a search over NB101 needs it (official NAS-Bench-101 release, about 499 MB) in ${dir}`;
  const releaseCheck: DataCheck = release
    ? loading('release', () => {
        const loaded = loadNb101(dataDir, options);
        return `${loaded.file} (${loaded.table.size} cells): 108-epoch validation and test accuracy, training time and params of every cell; search`;
      })
    : sample || subset
      ? absent('release', NB101_RELEASE_FILES[0], noRelease)
      : { name: NAME, status: 'MISSING', detail: `no NB101 table in ${dir}: place ${NB101_RELEASE_FILES[0]} (official NAS-Bench-101 release) there` };
  const sampleCheck = sample
    ? loading('sample', () => {
        const table = readNb101Sample(sample);
        const use = release ? 'not used: the release comes first' : 'queries on these cells';
        return `${sample} (${table.size} cells): 108-epoch validation accuracy of one run, training time and params, no test accuracy; ${use}`;
      })
    : absent('sample', NB101_SAMPLE_FILE, 'without it, queries answer only for the subset cells');
  const subsetCheck = subset
    ? loading('subset', () => {
        const use = release || sample ? `not used: the ${release ? 'release' : 'sample'} comes first` : 'queries on these cells';
        return `500-line subset ${subset} (${readNb101Subset(subset).size} distinct cells): validation accuracy only; ${use}`;
      })
    : absent('subset', NB101_SUBSET_FILE, 'not needed beside the sample or the release');
  const spaceCheck = space
    ? loading('space', () => {
        checkSpaceFile(space);
        return `${space} (${NB101_SPACE_CELLS} cells, sha256 as published): the structure of every cell (validity, module hash), no figures`;
      })
    : absent('space', NB101_SPACE_FILE, 'no list of every cell (the tables still answer for their own cells)');
  return [releaseCheck, sampleCheck, subsetCheck, spaceCheck];
}

/** The space file is checked by its published sha256 (11 MB, fast); tools/nb101-hash-check.ts reads every row. */
function checkSpaceFile(file: string): void {
  const sha256 = createHash('sha256').update(readDataFileSync(file, NB101_CSV_LIMIT)).digest('hex');
  if (sha256 !== NB101_SPACE_SHA256) throw new UserError(`${file}: sha256 ${sha256}, not the published ${NB101_SPACE_SHA256}; ${NB101_CSV_FIX}`);
}
