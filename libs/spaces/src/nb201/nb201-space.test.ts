import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Rng, UserError } from '@dcl-enas/common';
import { NB201_SIZE, nb201FromIndex, nb201Index, nb201Space } from './nb201-space';

const space = nb201Space;
const archArb = fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 6, maxLength: 6 });

describe('NB201 space', () => {
  it('round-trips string <-> arch <-> index for all 15,625 cells', () => {
    const seen = new Set<string>();
    let n = 0;
    for (const arch of space.enumerate!()) {
      const text = space.format(arch);
      expect(space.parse(text)).toEqual(arch);
      expect(nb201FromIndex(nb201Index(arch))).toEqual(arch);
      expect(nb201Index(arch)).toBe(n++);
      seen.add(text);
    }
    expect(seen.size).toBe(NB201_SIZE);
  });

  it('parses the benchmark string form', () => {
    const text = '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|';
    expect(space.parse(text)).toEqual([3, 3, 4, 1, 3, 1]);
    expect(space.format([3, 3, 4, 1, 3, 1])).toBe(text);
  });

  it('rejects malformed strings with a message naming the problem', () => {
    expect(() => space.parse('|conv~0|')).toThrow(UserError);
    expect(() => space.parse('|nor_conv_5x5~0|+|none~0|none~1|+|none~0|none~1|none~2|')).toThrow(/unknown NAS-Bench-201 op "nor_conv_5x5"/);
    expect(space.invalidReason([0, 1, 2])).toMatch(/6 edges/);
    expect(space.invalidReason([0, 1, 2, 3, 4, 5])).toMatch(/not in 0..4/);
  });

  it('gives cells that compute the same function the same key', () => {
    const k = (s: string) => space.key(space.parse(s));
    // conv3x3 on the input reaches the output through node 1 or through node 2: same function
    expect(k('|nor_conv_3x3~0|+|none~0|none~1|+|none~0|skip_connect~1|none~2|')).toBe(
      k('|none~0|+|nor_conv_3x3~0|none~1|+|none~0|none~1|skip_connect~2|'),
    );
    // edges into a node that never reaches the output do not matter
    expect(k('|nor_conv_1x1~0|+|avg_pool_3x3~0|none~1|+|nor_conv_3x3~0|none~1|none~2|')).toBe(
      k('|none~0|+|none~0|none~1|+|nor_conv_3x3~0|none~1|none~2|'),
    );
    // a sum is order-free
    expect(k('|nor_conv_1x1~0|+|avg_pool_3x3~0|none~1|+|none~0|skip_connect~1|skip_connect~2|')).toBe(
      k('|avg_pool_3x3~0|+|nor_conv_1x1~0|none~1|+|none~0|skip_connect~1|skip_connect~2|'),
    );
    // but different functions differ
    expect(k('|nor_conv_3x3~0|+|none~0|none~1|+|none~0|skip_connect~1|none~2|')).not.toBe(
      k('|nor_conv_1x1~0|+|none~0|none~1|+|none~0|skip_connect~1|none~2|'),
    );
    expect(k('|none~0|+|none~0|none~1|+|skip_connect~0|none~1|none~2|')).not.toBe(
      k('|skip_connect~0|+|none~0|none~1|+|skip_connect~0|skip_connect~1|none~2|'),
    );
  });

  it('groups the 15,625 cells into fewer functional classes, every all-zero cell together', () => {
    const keys = new Set<string>();
    for (const arch of space.enumerate!()) keys.add(space.key(arch));
    expect(keys.size).toBeLessThan(NB201_SIZE);
    expect(keys.size).toBeGreaterThan(4000);
    expect(space.key([0, 0, 0, 0, 0, 0])).toBe(space.key([3, 3, 3, 0, 0, 0]));
  });

  it('mutates to a different valid cell and crosses over within the parents', () => {
    fc.assert(
      fc.property(archArb, archArb, fc.integer(), (a, b, seed) => {
        const rng = Rng.seeded(seed);
        const m = space.mutate(a, rng);
        expect(space.isValid(m)).toBe(true);
        expect(m.filter((op, e) => op !== a[e]).length).toBe(1);
        const c = space.crossover(a, b, rng);
        expect(space.isValid(c)).toBe(true);
        c.forEach((op, e) => expect([a[e], b[e]]).toContain(op));
      }),
    );
  });

  it('builds the op-on-node DAG: input, one node per edge, output', () => {
    const g = space.toGraph([3, 3, 4, 1, 3, 1]);
    const n = space.maxNodes;
    expect(n).toBe(8);
    expect(Array.from(g.ops)).toEqual([0, 4, 4, 5, 2, 4, 2, 6]);
    const edges: string[] = [];
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (g.adjacency[i * n + j]) edges.push(`${i}>${j}`);
    // input feeds edges 0->1, 0->2, 0->3; edge 0->1 feeds 1->2 and 1->3; 0->2 and 1->2 feed 2->3; into-3 edges feed output
    expect(edges.sort()).toEqual(['0>1', '0>2', '0>4', '1>3', '1>5', '2>6', '3>6', '4>7', '5>7', '6>7'].sort());
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) expect(g.adjacency[i * n + j]).toBe(0);
  });
});
