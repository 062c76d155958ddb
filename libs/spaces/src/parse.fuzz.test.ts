import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Rng, UserError } from '@dcl-enas/common';
import { ARCH_TEXT_MAX_CHARS, type SearchSpace } from './space';
import { nb201Space } from './nb201';
import { ecgSpace } from './ecg';
import { nb101Space } from './nb101';

/**
 * Property and fuzz tests of every space's text form and graph (issue 9): parse never throws
 * anything but UserError (one line, bounded length), and what it accepts round-trips.
 * The numbers of runs are the counts docs/results/reliability.md reports.
 */
export const RUNS = { roundTrip: 300, fuzz: 1000, graph: 300 } as const;

const spaces = [nb201Space, ecgSpace, nb101Space] as unknown as SearchSpace<unknown>[];
const seed = fc.integer({ min: 0, max: 2 ** 31 - 1 });

/** Calls `parse`; returns the arch, or the error after checking it is a one-line, bounded UserError. */
function parseOrDomainError(space: SearchSpace<unknown>, text: string): { arch: unknown } | { error: UserError } {
  try {
    return { arch: space.parse(text) };
  } catch (e) {
    if (!(e instanceof UserError)) throw new Error(`${space.name}.parse(${JSON.stringify(text.slice(0, 200))}) threw ${(e as Error)?.name}: ${(e as Error)?.message}`);
    expect(e.message).not.toMatch(/[\r\n]/);
    expect(e.message.length).toBeLessThan(1000);
    return { error: e };
  }
}

/** Strings near the valid forms: a formatted arch with characters deleted, replaced or inserted. */
function nearValid(space: SearchSpace<unknown>): fc.Arbitrary<string> {
  return fc
    .tuple(seed, fc.array(fc.tuple(fc.nat(), fc.constantFrom('delete', 'replace', 'insert'), fc.string({ unit: 'binary', minLength: 1, maxLength: 3 })), { minLength: 1, maxLength: 4 }))
    .map(([s, edits]) => {
      let text = space.format(space.sample(Rng.seeded(s)));
      for (const [at, kind, piece] of edits) {
        const i = text.length === 0 ? 0 : at % text.length;
        if (kind === 'delete') text = text.slice(0, i) + text.slice(i + 1);
        else if (kind === 'replace') text = text.slice(0, i) + piece + text.slice(i + 1);
        else text = text.slice(0, i) + piece + text.slice(i);
      }
      return text;
    });
}

/** NB101-shaped JSON: random matrices (any size, any entries) and op lists. */
const nb101Json = fc
  .record({
    matrix: fc.oneof(
      fc.array(fc.array(fc.constantFrom(0, 1), { minLength: 0, maxLength: 9 }), { minLength: 0, maxLength: 9 }),
      fc.array(fc.array(fc.jsonValue(), { maxLength: 4 }), { maxLength: 4 }),
      fc.jsonValue(),
    ),
    ops: fc.oneof(fc.array(fc.constantFrom('input', 'output', 'conv3x3-bn-relu', 'conv1x1-bn-relu', 'maxpool3x3', 'conv5x5'), { maxLength: 9 }), fc.jsonValue()),
  })
  .map((cell) => JSON.stringify(cell));

function fuzzInputs(space: SearchSpace<unknown>): fc.Arbitrary<string> {
  return fc.oneof(
    fc.string({ unit: 'binary', maxLength: 300 }),
    fc.string({ unit: 'grapheme', maxLength: 80 }),
    nearValid(space),
    fc.json({ maxDepth: 4 }),
    nb101Json,
    fc.constantFrom('', ' ', '\n', '|', '{}', '[]', 'null', '{"matrix":[[0]],"ops":["input"]}', 'x'.repeat(ARCH_TEXT_MAX_CHARS + 1), '['.repeat(3000)),
  );
}

describe.each(spaces.map((s) => [s.name, s] as const))('%s architecture text and graph', (_name, space) => {
  it(`round-trips format -> parse -> format for sampled, mutated and crossed-over archs (${RUNS.roundTrip} cases)`, () => {
    fc.assert(
      fc.property(seed, (s) => {
        const rng = Rng.seeded(s);
        const a = space.sample(rng);
        for (const arch of [a, space.mutate(a, rng), space.crossover(a, space.sample(rng), rng)]) {
          expect(space.isValid(arch)).toBe(true);
          const text = space.format(arch);
          expect(text.length).toBeLessThanOrEqual(ARCH_TEXT_MAX_CHARS);
          const back = space.parse(text);
          expect(space.format(back)).toBe(text);
          expect(space.key(back)).toBe(space.key(arch));
          expect(space.toGraph(back)).toEqual(space.toGraph(arch));
        }
      }),
      { numRuns: RUNS.roundTrip },
    );
  });

  it(`parse of arbitrary and near-valid text gives a valid arch that round-trips, or a one-line UserError (${RUNS.fuzz} cases)`, () => {
    let accepted = 0;
    fc.assert(
      fc.property(fuzzInputs(space), (text) => {
        const parsed = parseOrDomainError(space, text);
        if ('arch' in parsed) {
          accepted++;
          expect(space.invalidReason(parsed.arch)).toBeNull();
          const again = space.parse(space.format(parsed.arch));
          expect(space.key(again)).toBe(space.key(parsed.arch));
        }
      }),
      { numRuns: RUNS.fuzz },
    );
    // The near-valid generator keeps a share of accepted inputs (edits that leave a valid form), so both branches run.
    expect(accepted).toBeLessThan(RUNS.fuzz);
  });

  it('refuses text over the length limit before parsing it', () => {
    const long = space.format(space.sample(Rng.seeded(1))) + ' '.repeat(ARCH_TEXT_MAX_CHARS);
    expect(() => space.parse(long)).toThrow(new RegExp(`too long \\(at most ${ARCH_TEXT_MAX_CHARS}\\)`));
  });

  it(`toGraph gives a padded DAG: edges only forward, padding without ops or edges (${RUNS.graph} cases)`, () => {
    const n = space.maxNodes;
    fc.assert(
      fc.property(seed, (s) => {
        const g = space.toGraph(space.sample(Rng.seeded(s)));
        expect(g.ops).toHaveLength(n);
        expect(g.adjacency).toHaveLength(n * n);
        expect(g.nodeCount).toBeGreaterThanOrEqual(2);
        expect(g.nodeCount).toBeLessThanOrEqual(n);
        expect(g.ops[0]).toBe(space.nodeOps.indexOf('input'));
        expect(g.ops[g.nodeCount - 1]).toBe(space.nodeOps.indexOf('output'));
        for (let i = 0; i < n; i++) {
          if (i < g.nodeCount) expect(g.ops[i] >= 0 && g.ops[i] < space.nodeOps.length).toBe(true);
          else expect(g.ops[i]).toBe(-1);
          for (let j = 0; j < n; j++) {
            if (g.adjacency[i * n + j] === 1) {
              expect(j).toBeGreaterThan(i);
              expect(j).toBeLessThan(g.nodeCount);
            } else expect(g.adjacency[i * n + j]).toBe(0);
          }
        }
        // every non-padding node but the output has a successor (no dead ends)
        for (let i = 0; i < g.nodeCount - 1; i++) expect(g.adjacency.subarray(i * n, i * n + n).some((v) => v === 1)).toBe(true);
      }),
      { numRuns: RUNS.graph },
    );
  });
});
