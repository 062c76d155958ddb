/**
 * TEST HELPER (vitest + fast-check; not exported from the library): the generic property suite
 * every search space should pass. Call it inside a `describe` of a *.test.ts file:
 *
 *   describe('my space', () => spaceProperties(space, { mutateChangesKey: true }));
 */
import { expect, it } from 'vitest';
import fc from 'fast-check';
import { Rng, UserError } from '@dcl-enas/common';
import type { ArchGraph, SearchSpace } from '../space';

export interface SpacePropertyOptions {
  /** fast-check runs per property (default 200). */
  readonly runs?: number;
  /** mutate must change the key (default true); false: it need only change the formatted arch (the built-in nb201 / ecg mutation). */
  readonly mutateChangesKey?: boolean;
  /**
   * What enumerate must yield when the space has one and its size is at most `enumerateLimit`
   * (default 50,000): 'keys' = exactly `size` distinct keys (one arch per key), 'archs' = exactly
   * `size` distinct architectures (distinct formats), null = do not check.
   */
  readonly enumerate?: 'keys' | 'archs' | null;
  readonly enumerateLimit?: number;
  /** Pairs of arch texts that must parse to the same key (functionally identical). */
  readonly sameKey?: readonly (readonly [string, string])[];
  /** Pairs of arch texts that must parse to different keys. */
  readonly differentKey?: readonly (readonly [string, string])[];
  /** Texts parse must refuse with a one-line UserError (a few malformed strings are always tried as well). */
  readonly malformed?: readonly string[];
}

/** A graph as one string (toEqual on typed arrays is slow). */
const graphText = (g: ArchGraph): string => `${g.nodeCount}/${g.ops.join(',')}/${g.adjacency.join('')}`;

const seed = fc.integer({ min: 0, max: 2 ** 31 - 1 });

/** Sampled, mutated and crossed-over architectures from one seed. */
function draws<A>(space: SearchSpace<A>, s: number): { a: A; b: A; m: A; c: A } {
  const rng = Rng.seeded(s);
  const a = space.sample(rng);
  const b = space.sample(rng);
  return { a, b, m: space.mutate(a, rng), c: space.crossover(a, b, rng) };
}

/** Edges forward only, ops in range, padding -1 without edges, input first and output last. */
export function expectPaddedDag<A>(space: SearchSpace<A>, arch: A): void {
  const n = space.maxNodes;
  const g = space.toGraph(arch);
  expect(g.ops).toHaveLength(n);
  expect(g.adjacency).toHaveLength(n * n);
  expect(g.nodeCount).toBeGreaterThanOrEqual(2);
  expect(g.nodeCount).toBeLessThanOrEqual(n);
  expect(g.ops[0]).toBe(space.nodeOps.indexOf('input'));
  expect(g.ops[g.nodeCount - 1]).toBe(space.nodeOps.indexOf('output'));
  // one expect for the whole matrix: a list of what is wrong
  const problems: string[] = [];
  for (let i = 0; i < n; i++) {
    if (i < g.nodeCount && !(g.ops[i] >= 0 && g.ops[i] < space.nodeOps.length)) problems.push(`node ${i}: op ${g.ops[i]} out of range`);
    if (i >= g.nodeCount && g.ops[i] !== -1) problems.push(`padding node ${i}: op ${g.ops[i]}, not -1`);
    for (let j = 0; j < n; j++) {
      const v = g.adjacency[i * n + j];
      if (v !== 0 && v !== 1) problems.push(`adjacency ${i}>${j} = ${v}`);
      else if (v === 1 && j <= i) problems.push(`edge ${i}>${j} goes backward`);
      else if (v === 1 && j >= g.nodeCount) problems.push(`edge ${i}>${j} into padding`);
    }
  }
  expect(problems, space.format(arch)).toEqual([]);
}

function expectOneLineUserError(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    expect((e as Error).message).not.toMatch(/[\r\n]/);
    expect((e as Error).message.length).toBeLessThan(1000);
    return;
  }
  throw new Error('expected a UserError');
}

/** Registers the generic properties of `space` as `it` blocks. */
export function spaceProperties<A>(space: SearchSpace<A>, options: SpacePropertyOptions = {}): void {
  const runs = options.runs ?? 200;
  const changesKey = options.mutateChangesKey ?? true;

  it('has input and output node labels and at most 127 of them (ArchGraph.ops is an Int8Array)', () => {
    expect(space.nodeOps[0]).toBe('input');
    expect(space.nodeOps[space.nodeOps.length - 1]).toBe('output');
    expect(new Set(space.nodeOps).size).toBe(space.nodeOps.length);
    expect(space.nodeOps.length).toBeLessThanOrEqual(127);
  });

  it(`samples, mutations and crossovers are valid (${runs} seeds)`, () => {
    fc.assert(
      fc.property(seed, (s) => {
        for (const arch of Object.values(draws(space, s))) {
          expect(space.invalidReason(arch)).toBeNull();
          expect(space.isValid(arch)).toBe(true);
        }
      }),
      { numRuns: runs },
    );
  });

  it(`mutate always changes the ${changesKey ? 'key' : 'architecture'} (${runs} seeds)`, () => {
    fc.assert(
      fc.property(seed, (s) => {
        const { a, m, c } = draws(space, s);
        const rng = Rng.seeded(s + 1);
        for (const arch of [a, m, c]) {
          const child = space.mutate(arch, rng);
          if (changesKey) expect(space.key(child)).not.toBe(space.key(arch));
          else expect(space.format(child)).not.toBe(space.format(arch));
        }
      }),
      { numRuns: runs },
    );
  });

  it(`parse(format(a)) round-trips: same text, same key, same graph (${runs} seeds)`, () => {
    fc.assert(
      fc.property(seed, (s) => {
        for (const arch of Object.values(draws(space, s))) {
          const text = space.format(arch);
          const back = space.parse(text);
          expect(space.format(back)).toBe(text);
          expect(space.key(back)).toBe(space.key(arch));
          expect(graphText(space.toGraph(back))).toBe(graphText(space.toGraph(arch)));
        }
      }),
      { numRuns: runs },
    );
  });

  it(`toGraph is a padded DAG: edges forward only, ops in range, padding -1, input first, output last (${runs} seeds)`, () => {
    fc.assert(
      fc.property(seed, (s) => {
        for (const arch of Object.values(draws(space, s))) expectPaddedDag(space, arch);
      }),
      { numRuns: runs },
    );
  });

  it('is reproducible: the same seed gives the same draws', () => {
    for (let s = 0; s < 20; s++) {
      const x = draws(space, s);
      const y = draws(space, s);
      for (const k of ['a', 'b', 'm', 'c'] as const) expect(space.format(x[k])).toBe(space.format(y[k]));
    }
  });

  it('parse refuses malformed text with a one-line UserError', () => {
    const text = space.format(space.sample(Rng.seeded(7)));
    for (const bad of ['', '|', '\u0000', 'x'.repeat(5000), `${text}|`, `${text}\n${text}`, ...(options.malformed ?? [])]) expectOneLineUserError(() => space.parse(bad));
  });

  if (options.sameKey?.length || options.differentKey?.length) {
    it('gives functionally identical architectures the same key, and different ones different keys', () => {
      const k = (t: string) => space.key(space.parse(t));
      for (const [x, y] of options.sameKey ?? []) expect(k(x), `${x} ~ ${y}`).toBe(k(y));
      for (const [x, y] of options.differentKey ?? []) expect(k(x), `${x} !~ ${y}`).not.toBe(k(y));
    });
  }

  const limit = options.enumerateLimit ?? 50_000;
  const what = options.enumerate === undefined ? 'keys' : options.enumerate;
  if (what !== null && space.enumerate && space.size !== undefined && space.size <= limit) {
    it(`enumerate yields exactly size = ${space.size} distinct ${what === 'keys' ? 'keys (one architecture per key)' : 'architectures'}, all valid`, () => {
      const texts = new Set<string>();
      const keys = new Set<string>();
      let n = 0;
      for (const arch of space.enumerate!()) {
        n++;
        expect(space.invalidReason(arch)).toBeNull();
        texts.add(space.format(arch));
        keys.add(space.key(arch));
      }
      expect(n).toBe(space.size);
      expect(texts.size).toBe(space.size);
      if (what === 'keys') expect(keys.size).toBe(space.size);
    });
  }
}
