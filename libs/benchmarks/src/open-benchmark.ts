import type { Ceiling, Evaluator } from './evaluator';
import { loadNb201 } from './nb201/nb201-table';
import { Nb201Evaluator } from './nb201/nb201-evaluator';
import { loadNb101, requireFullNb101 } from './nb101/nb101-load';
import { Nb101Evaluator } from './nb101/nb101-evaluator';
import { tableRestrictedSpace } from './table-space';

export interface OpenedBenchmark<A = unknown> {
  readonly evaluator: Evaluator<A>;
  /** Best validation accuracy in the table and what it selects, where the whole table is known. */
  readonly ceiling: Ceiling | null;
}

/** The NAS-Bench-201 table as an evaluator, with the ceiling of the dataset. */
export function openNb201(dataset: string, dataDir: string): OpenedBenchmark {
  const evaluator = new Nb201Evaluator(loadNb201(dataDir));
  return { evaluator: evaluator as Evaluator, ceiling: evaluator.ceiling(dataset) };
}

/** The NAS-Bench-101 release as an evaluator over the cells it holds (refuses the 500-cell subset: too few to search). */
export function openNb101(_dataset: string, dataDir: string): OpenedBenchmark {
  const loaded = loadNb101(dataDir);
  requireFullNb101(loaded, dataDir);
  const inner = new Nb101Evaluator(loaded.table);
  const table = loaded.table;
  const space = tableRestrictedSpace(inner.space, { size: table.size, archAt: (r) => table.archAt(r), hasKey: (k) => table.row(k) !== undefined });
  const evaluator: Evaluator = { space: space as Evaluator['space'], datasets: inner.datasets, query: (arch, d) => inner.query(arch as never, d) };
  return { evaluator, ceiling: inner.ceiling() };
}
