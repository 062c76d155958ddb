import { UserError } from '@dcl-enas/common';
import type { SearchSpace } from '@dcl-enas/spaces';

/** Enumerable spaces up to this many cells are counted key by key (NB201's 15,625 take about 60 ms). */
const COUNTED_CELLS = 100_000;
const counted = new WeakMap<object, number>();

/**
 * How many architectures a search can train in `space`: no strategy trains two with the same
 * key, so in a counted space this is the number of distinct keys (NB201: 4,930 of its 15,625
 * cells). Larger spaces give their size, or Infinity where it is not known.
 */
export function distinctArchitectures<A>(space: SearchSpace<A>): number {
  const size = space.size ?? Number.POSITIVE_INFINITY;
  if (!space.enumerate || size > COUNTED_CELLS) return size;
  let n = counted.get(space);
  if (n === undefined) {
    const keys = new Set<string>();
    for (const arch of space.enumerate()) keys.add(space.key(arch));
    n = keys.size;
    counted.set(space, n);
  }
  return n;
}

/** Refuses, before a search starts, a budget the space cannot supply. `flag` names the setting, e.g. "--queries". */
export function checkQueryBudget<A>(space: SearchSpace<A>, queries: number, flag: string): void {
  const most = distinctArchitectures(space);
  if (queries > most) throw new UserError(`${flag} ${queries} is more than the ${most} distinct architectures of ${space.name}: use at most ${most}`);
}
