import { UserError } from '@dcl-enas/common';
import type { Ceiling, Evaluator } from './evaluator';
import { loadNb201 } from './nb201/nb201-table';
import { isNb201Dataset, Nb201Evaluator } from './nb201/nb201-evaluator';
import { NB201_DATASETS } from './nb201/nb201-table';
import { loadNb101, requireFullNb101 } from './nb101/nb101-load';
import { Nb101Evaluator, NB101_DATASETS } from './nb101/nb101-evaluator';
import { tableRestrictedSpace } from './table-space';

export interface OpenedBenchmark<A = unknown> {
  readonly evaluator: Evaluator<A>;
  readonly dataset: string;
  /** Best validation accuracy in the table and what it selects, where the whole table is known. */
  readonly ceiling: Ceiling | null;
}

type Opener = (dataset: string, dataDir: string) => OpenedBenchmark;

const openers = new Map<string, { datasets: readonly string[]; open: Opener }>([
  [
    'nb201',
    {
      datasets: NB201_DATASETS,
      open: (dataset, dataDir) => {
        const evaluator = new Nb201Evaluator(loadNb201(dataDir));
        return { evaluator: evaluator as Evaluator, dataset, ceiling: evaluator.ceiling(dataset) };
      },
    },
  ],
  [
    'nb101',
    {
      datasets: NB101_DATASETS,
      open: (dataset, dataDir) => {
        const loaded = loadNb101(dataDir);
        requireFullNb101(loaded, dataDir);
        const inner = new Nb101Evaluator(loaded.table);
        const table = loaded.table;
        const space = tableRestrictedSpace(inner.space, { size: table.size, archAt: (r) => table.archAt(r), hasKey: (k) => table.row(k) !== undefined });
        const evaluator: Evaluator = { space: space as Evaluator['space'], datasets: inner.datasets, query: (arch, d) => inner.query(arch as never, d) };
        return { evaluator, dataset, ceiling: inner.ceiling() };
      },
    },
  ],
]);

/** Lets another space (nb101, ecg) plug its evaluator in. */
export function registerBenchmark(space: string, datasets: readonly string[], open: Opener): void {
  openers.set(space, { datasets, open });
}

export function benchmarkSpaces(): string[] {
  return [...openers.keys()];
}

/** The evaluator for a space and dataset by name; one clear UserError for anything unknown. */
export function openBenchmark(space: string, dataset: string, dataDir: string): OpenedBenchmark {
  const entry = openers.get(space);
  if (!entry) throw new UserError(`unknown space "${space}": use one of ${benchmarkSpaces().join(', ')}`);
  if (!entry.datasets.includes(dataset)) {
    throw new UserError(`unknown dataset "${dataset}" for space ${space}: use one of ${entry.datasets.join(', ')}`);
  }
  return entry.open(dataset, dataDir);
}

export { isNb201Dataset };
