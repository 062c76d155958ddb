import type { Rng } from '@dcl-enas/common';
import type { SearchSpace } from '@dcl-enas/spaces';

/** The rows of a tabular benchmark, as architectures. */
export interface ArchTable<A> {
  readonly size: number;
  archAt(row: number): A;
  /** Whether the table holds the architecture with this key. */
  hasKey(key: string): boolean;
}

/**
 * A search space limited to the architectures a table holds. Sampling draws table rows
 * uniformly; mutation and crossover retry until their child is in the table, falling back to
 * a random row. On a table that holds every valid cell (the full NAS-Bench-101 release)
 * retries are rare; on a partial table (a test file) a search can still run end to end.
 */
export function tableRestrictedSpace<A>(space: SearchSpace<A>, table: ArchTable<A>, maxTries = 100): SearchSpace<A> {
  const inTable = (arch: A) => table.hasKey(space.key(arch));
  const randomRowOtherThan = (avoid: string, rng: Rng): A => {
    for (let t = 0; t < maxTries; t++) {
      const arch = table.archAt(rng.below(table.size));
      if (space.key(arch) !== avoid) return arch;
    }
    return table.archAt(rng.below(table.size));
  };
  return {
    ...space,
    size: table.size,
    enumerate: function* () {
      for (let i = 0; i < table.size; i++) yield table.archAt(i);
    },
    sample: (rng) => table.archAt(rng.below(table.size)),
    mutate: (arch, rng) => {
      for (let t = 0; t < maxTries; t++) {
        const child = space.mutate(arch, rng);
        if (inTable(child)) return child;
      }
      return randomRowOtherThan(space.key(arch), rng);
    },
    crossover: (a, b, rng) => {
      for (let t = 0; t < maxTries; t++) {
        const child = space.crossover(a, b, rng);
        if (inTable(child)) return child;
      }
      return table.archAt(rng.below(table.size));
    },
  };
}
