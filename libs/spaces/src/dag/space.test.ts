import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Rng, UserError } from '@dcl-enas/common';
import { ARCH_TEXT_MAX_CHARS } from '../space';
import { createDagSpace, type DagArch, type DagSpaceDefinition } from './index';
import { DEFS, definition, seed } from './test-spaces';

const base: DagSpaceDefinition = { name: 'toy', label: 'Toy', ops: ['conv', 'pool'], maxNodes: 5, maxEdges: 6 };
const toy = createDagSpace(base);

function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

describe('createDagSpace definition checks', () => {
  const refused: [string, Partial<DagSpaceDefinition> | unknown, RegExp][] = [
    ['maxNodes below 3', { maxNodes: 2, maxEdges: 1 }, /maxNodes must be an integer in 3\.\.12, got 2/],
    ['maxNodes above 12', { maxNodes: 13 }, /maxNodes must be an integer in 3\.\.12, got 13/],
    ['fractional maxNodes', { maxNodes: 4.5 }, /maxNodes must be an integer/],
    ['maxEdges 0', { maxEdges: 0 }, /maxEdges must be an integer in 1\.\.10 \(maxNodes 5\), got 0/],
    ['maxEdges above n(n-1)/2', { maxEdges: 11 }, /maxEdges must be an integer in 1\.\.10/],
    ['no ops', { ops: [] }, /ops must be a list of 1\.\.16 op names, got 0 names/],
    ['17 ops', { ops: Array.from({ length: 17 }, (_, i) => `o${i}`) }, /got 17 names/],
    ['ops not a list', { ops: 'conv' }, /ops must be a list/],
    ['a duplicate op', { ops: ['conv', 'pool', 'conv'] }, /op "conv" is listed twice/],
    ['an op named input', { ops: ['input'] }, /'input' is the name of the input vertex/],
    ['an op named output', { ops: ['conv', 'output'] }, /'output' is the name of the output vertex/],
    ['an empty op name', { ops: [''] }, /op 0 must be a non-empty string/],
    ['a non-string op', { ops: [3] }, /op 0 must be a non-empty string, got 3/],
    ['an op name with a newline', { ops: ['a\nb'] }, /op 0 "a\\nb" contains a control or line-break character/],
    ['an op name over 64 characters', { ops: ['x'.repeat(65)] }, /longer than 64 characters/],
    ['an empty name', { name: '' }, /name must be a non-empty string/],
    ['a missing label', { label: undefined }, /label must be a non-empty string/],
  ];
  it.each(refused)('refuses %s with a plain Error', (_what, change, message) => {
    const e = thrown(() => createDagSpace({ ...base, ...(change as object) } as DagSpaceDefinition));
    expect(e).not.toBeInstanceOf(UserError);
    expect(e.message).toMatch(/^createDagSpace: /);
    expect(e.message).toMatch(message);
  });

  it('refuses a non-object definition and bad options', () => {
    expect(() => createDagSpace(null as unknown as DagSpaceDefinition)).toThrow(/definition must be an object/);
    expect(() => createDagSpace(base, { nodeOps: ['input', 'conv', 'output'] })).toThrow(/nodeOps .* is not an ordering of \["input","conv","pool","output"\]/);
    expect(() => createDagSpace(base, { nodeOps: ['input', 'pool', 'conv', 'conv', 'output'] })).toThrow(/not an ordering/);
    expect(() => createDagSpace(base, { size: 12 })).toThrow(/size is given by enumerate for a space this small/);
    expect(() => createDagSpace({ ...base, maxNodes: 8, maxEdges: 9 }, { size: 0 })).toThrow(/size must be a positive integer, got 0/);
  });

  it('accepts the corners of the schema range', () => {
    for (const maxNodes of [3, 12]) {
      for (const maxEdges of [1, (maxNodes * (maxNodes - 1)) / 2]) {
        for (const ops of [['a'], Array.from({ length: 16 }, (_, i) => `${'o'.repeat(40)}${i}`)]) {
          const space = createDagSpace({ name: 'corner', label: 'Corner', ops, maxNodes, maxEdges });
          expect(space.maxNodes).toBe(maxNodes);
          expect(space.isValid(space.sample(Rng.seeded(1)))).toBe(true);
        }
      }
    }
  });
});

describe('dag space basics', () => {
  it('takes name and maxNodes from the definition and nodeOps = input, ops..., output', () => {
    expect(toy.name).toBe('toy');
    expect(toy.maxNodes).toBe(5);
    expect(toy.nodeOps).toEqual(['input', 'conv', 'pool', 'output']);
    const reordered = createDagSpace(base, { nodeOps: ['input', 'pool', 'conv', 'output'] });
    expect(reordered.nodeOps).toEqual(['input', 'pool', 'conv', 'output']);
    const cell: DagArch = { matrix: [[0, 1, 0], [0, 0, 1], [0, 0, 0]], ops: ['input', 'conv', 'output'] };
    expect(Array.from(toy.toGraph(cell).ops)).toEqual([0, 1, 3, -1, -1]);
    expect(Array.from(reordered.toGraph(cell).ops)).toEqual([0, 2, 3, -1, -1]);
    // The key labels vertices by def.ops, whatever the one-hot order.
    expect(reordered.key(cell)).toBe(toy.key(cell));
  });

  it('applies the limits to the pruned cell', () => {
    const chain = (n: number): DagArch => ({
      matrix: Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (j === i + 1 ? 1 : 0))),
      ops: ['input', ...new Array<string>(n - 2).fill('conv'), 'output'],
    });
    expect(toy.invalidReason(chain(5))).toBeNull();
    expect(toy.invalidReason(chain(6))).toBe('too many vertices after pruning: 6 (max 5)');
    // 6 vertices, vertex 4 isolated: pruned to 5.
    const padded: DagArch = { matrix: Array.from({ length: 6 }, () => new Array<number>(6).fill(0)), ops: ['input', 'conv', 'conv', 'conv', 'pool', 'output'] };
    for (const [i, j] of [[0, 1], [1, 2], [2, 3], [3, 5]]) padded.matrix[i][j] = 1;
    expect(toy.invalidReason(padded)).toBeNull();
    expect(toy.toGraph(padded).nodeCount).toBe(5);
    const dense = chain(5);
    for (const [i, j] of [[0, 2], [0, 3], [1, 3]]) dense.matrix[i][j] = 1;
    expect(toy.invalidReason(dense)).toBe('too many edges after pruning: 7 (max 6)');
    expect(toy.invalidReason({ matrix: chain(3).matrix, ops: ['input', 'conv3x3-bn-relu', 'output'] })).toBe('unknown op "conv3x3-bn-relu" at vertex 1 (allowed: conv, pool)');
    expect(toy.invalidReason({ matrix: [[0, 0], [0, 0]], ops: ['input', 'output'] })).toMatch(/input is not connected to output/);
    expect(() => toy.key(chain(6))).toThrow(UserError);
    expect(() => toy.key(chain(6))).toThrow(/^invalid Toy cell: too many vertices/);
    expect(() => toy.toGraph(chain(6))).toThrow(/^invalid Toy cell/);
  });

  it('keeps reasons short when the offending value is long', () => {
    const long = 'q'.repeat(1000);
    const reason = toy.invalidReason({ matrix: [[0, 1, 0], [0, 0, 1], [0, 0, 0]], ops: ['input', long, 'output'] })!;
    expect(reason.length).toBeLessThan(200);
    expect(reason).toMatch(/^unknown op "q+\.\.\. at vertex 1/);
    const many = createDagSpace({ ...base, ops: Array.from({ length: 16 }, (_, i) => `${'n'.repeat(60)}${i}`) });
    expect(many.invalidReason({ matrix: [[0, 1, 0], [0, 0, 1], [0, 0, 0]], ops: ['input', 'x', 'output'] })!.length).toBeLessThan(400);
    const e = thrown(() => toy.parse(JSON.stringify({ matrix: [[0, { deep: long }], [0, 0]], ops: ['input', 'output'] })));
    expect(e).toBeInstanceOf(UserError);
    expect(e.message.length).toBeLessThan(400);
  });
});

describe('dag format / parse', () => {
  it('writes NB101-style JSON and reads it back', () => {
    const cell: DagArch = { matrix: [[0, 1, 1], [0, 0, 1], [0, 0, 0]], ops: ['input', 'pool', 'output'] };
    expect(toy.format(cell)).toBe('{"matrix":[[0,1,1],[0,0,1],[0,0,0]],"ops":["input","pool","output"]}');
    expect(toy.parse(toy.format(cell))).toEqual(cell);
  });

  it('round-trips sampled, mutated and crossed-over cells of any definition', () => {
    fc.assert(
      fc.property(definition, seed, (def, s) => {
        const space = createDagSpace(def);
        const rng = Rng.seeded(s);
        const a = space.sample(rng);
        for (const arch of [a, space.mutate(a, rng), space.crossover(a, space.sample(rng), rng)]) {
          const text = space.format(arch);
          expect(text.length).toBeLessThanOrEqual(ARCH_TEXT_MAX_CHARS);
          const back = space.parse(text);
          expect(back).toEqual(arch);
          expect(space.format(back)).toBe(text);
          expect(space.key(back)).toBe(space.key(arch));
        }
      }),
      { numRuns: 150 },
    );
  });

  it('names what is wrong, as a one-line UserError naming the space', () => {
    const cases: [string, RegExp][] = [
      ['{"matrix":[[0,1],[0,0]]', /^malformed Toy cell .*: not JSON; expected e\.g\. \{"matrix":\[\[0,1,1\],\[0,0,1\],\[0,0,0\]\],"ops":\["input","conv","output"\]\}$/],
      ['[1,2]', /^malformed Toy cell "\[1,2\]": expected an object with "matrix" and "ops"/],
      ['{"matrix":[[0,1],[0,0]],"ops":["input","conv7x7"]}', /^invalid Toy cell .*: last op must be 'output'/],
      ['{"matrix":[[0,0],[0,0]],"ops":["input","output"]}', /input is not connected to output/],
      ['{"ops":["input","output"]}', /matrix is missing/],
      ['x'.repeat(ARCH_TEXT_MAX_CHARS + 1), /^Toy architecture text of 4097 characters is too long/],
      ['{"matrix":[[0,1],\n[0,0]],"ops":["input","output"]', /not JSON/],
    ];
    for (const [text, message] of cases) {
      const e = thrown(() => toy.parse(text));
      expect(e).toBeInstanceOf(UserError);
      expect(e.message).toMatch(message);
      expect(e.message).not.toMatch(/[\r\n]/);
    }
    expect(() => toy.parse(7 as unknown as string)).toThrow(/^Toy architecture must be a string, got number/);
  });

  it('gives an example that is valid in the space itself, whatever maxEdges', () => {
    for (const maxEdges of [1, 2, 3, 10]) {
      const space = createDagSpace({ ...base, maxEdges });
      const example = /expected e\.g\. (.*)$/.exec(thrown(() => space.parse('nope')).message)![1];
      expect(space.isValid(space.parse(example))).toBe(true);
    }
  });
});

describe('dag toGraph', () => {
  it('is the pruned cell padded to maxNodes: edges forward only, ops in range, padding -1', () => {
    fc.assert(
      fc.property(fc.constantFrom(...DEFS), seed, (def, s) => {
        const space = createDagSpace(def);
        const rng = Rng.seeded(s);
        const a = space.sample(rng);
        for (const arch of [a, space.mutate(a, rng), space.crossover(a, space.sample(rng), rng)]) {
          const n = def.maxNodes;
          const g = space.toGraph(arch);
          expect(g.adjacency).toHaveLength(n * n);
          expect(g.ops).toHaveLength(n);
          expect(g.nodeCount).toBeGreaterThanOrEqual(2);
          expect(g.nodeCount).toBeLessThanOrEqual(n);
          expect(space.nodeOps[g.ops[0]]).toBe('input');
          expect(space.nodeOps[g.ops[g.nodeCount - 1]]).toBe('output');
          let edges = 0;
          const reached = new Array<boolean>(n).fill(false);
          reached[0] = true;
          for (let i = 0; i < n; i++) {
            if (i >= g.nodeCount) expect(g.ops[i]).toBe(-1);
            else if (i > 0 && i < g.nodeCount - 1) expect(def.ops).toContain(space.nodeOps[g.ops[i]]);
            for (let j = 0; j < n; j++) {
              if (!g.adjacency[i * n + j]) continue;
              edges++;
              expect(i).toBeLessThan(j);
              expect(j).toBeLessThan(g.nodeCount);
              if (reached[i]) reached[j] = true;
            }
          }
          expect(edges).toBeLessThanOrEqual(def.maxEdges);
          // Pruned: every node is reached from the input and has an out-edge (but the output).
          for (let v = 0; v < g.nodeCount; v++) {
            expect(reached[v]).toBe(true);
            if (v < g.nodeCount - 1) expect(g.adjacency.subarray(v * n, v * n + n).some((x) => x === 1)).toBe(true);
          }
          expect(space.toGraph(space.parse(space.format(arch)))).toEqual(g);
        }
      }),
      { numRuns: 300 },
    );
  });
});
