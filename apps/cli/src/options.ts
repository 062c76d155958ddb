import { InvalidArgumentError } from 'commander';

/**
 * Commander argument parsers, one per kind of number: each refuses, with a message naming the
 * expected form, any text that is not a plain decimal integer in the range where the value is
 * used ("1e3", "0x10", "1.5", "2^53 + 1", a seed the RNG would alias).
 */
function integerIn(min: number, max: number, what: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`expected ${what} (an integer from ${min} to ${max}), got "${value}"`);
    }
    return n;
  };
}

/** Seeds are 31-bit: Rng.seeded keeps the low 32 bits, and experiment specs allow 0..2^31-1. */
export const MAX_SEED = 2 ** 31 - 1;
/** The experiment spec's query budget limit, so that a search and a submitted experiment accept the same budgets. */
export const MAX_QUERIES = 100_000;
const MAX_SEEDS = 10_000;

export const positiveInt = integerIn(1, Number.MAX_SAFE_INTEGER, 'a positive integer');
export const seed = integerIn(0, MAX_SEED, 'a seed');
export const queryBudget = integerIn(1, MAX_QUERIES, 'a query budget');
export const port = integerIn(0, 65535, 'a port, 0 for any free one');
/** Milliseconds of pause before each query; a minute at most (setTimeout would overflow past 2^31 - 1 ms). */
export const paceMs = integerIn(0, 60_000, 'milliseconds');
/** Samples `enas space check` draws. */
export const sampleCount = integerIn(1, 100, 'a number of samples');

/** `A..B` (inclusive) or a single seed. */
export function seedRange(value: string): number[] {
  const m = /^(\d+)(?:\.\.(\d+))?$/.exec(value.trim());
  if (!m) throw new InvalidArgumentError(`expected seeds as A..B or N, got "${value}"`);
  const from = seed(m[1]);
  const to = m[2] === undefined ? from : seed(m[2]);
  if (to < from) throw new InvalidArgumentError(`empty seed range "${value}": the end is before the start`);
  if (to - from >= MAX_SEEDS) throw new InvalidArgumentError(`seed range "${value}" is too large (at most ${MAX_SEEDS.toLocaleString('en')} seeds)`);
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** Comma-separated query budgets, each once, in the order given. */
export function queryBudgetList(value: string): number[] {
  return [...new Set(value.split(',').map((v) => queryBudget(v)))];
}

export function nameList(value: string): string[] {
  const names = value.split(',').map((s) => s.trim());
  if (names.some((n) => n === '')) throw new InvalidArgumentError(`expected a comma-separated list of names, got "${value}"`);
  return [...new Set(names)];
}
