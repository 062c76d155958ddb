import { InvalidArgumentError } from 'commander';

/** Commander argument parsers: each refuses bad input with a message naming the expected form. */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`expected a positive integer, got "${value}"`);
  return n;
}

export function integer(value: string): number {
  const n = Number(value);
  if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError(`expected an integer, got "${value}"`);
  return n;
}

/** `A..B` (inclusive) or a single integer. */
export function seedRange(value: string): number[] {
  const m = /^(\d+)(?:\.\.(\d+))?$/.exec(value.trim());
  if (!m) throw new InvalidArgumentError(`expected seeds as A..B or N, got "${value}"`);
  const from = Number(m[1]);
  const to = m[2] === undefined ? from : Number(m[2]);
  if (to < from) throw new InvalidArgumentError(`empty seed range "${value}": the end is before the start`);
  if (to - from >= 10_000) throw new InvalidArgumentError(`seed range "${value}" is too large (at most 10,000 seeds)`);
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

export function positiveIntList(value: string): number[] {
  return value.split(',').map((v) => positiveInt(v));
}

export function nameList(value: string): string[] {
  const names = value.split(',').map((s) => s.trim());
  if (names.some((n) => n === '')) throw new InvalidArgumentError(`expected a comma-separated list of names, got "${value}"`);
  return [...new Set(names)];
}
