import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Rng, UserError } from '@dcl-enas/common';
import { nb201Space } from '../nb201';
import { ecgSpace } from '../ecg';
import { spaceProperties } from '../declared/space-properties';
import { CELL_MAX_NODES, createCellSpace, type CellSpace } from './cell-space';
import { cellCanonicalForm, cellEdgeCount, cellEdges } from './cell-canonical';

const OPS = ['none', 'skip', 'conv', 'pool'];
const cell = (nodes: number, ops: readonly string[] = OPS, distinctMutation = true): CellSpace =>
  createCellSpace({ name: `c${nodes}`, label: `cell-${nodes}`, nodes, ops, symbols: ops, semantics: { none: ops.indexOf('none'), skip: ops.indexOf('skip') }, distinctMutation });

/** The text of a cell of `space` with op `ops[edge]` on the listed edges ("from>to") and `none` elsewhere. */
function text(space: CellSpace, ops: Record<string, string>, fill = 'none'): string {
  return space.format(space.edges.map(([from, to]) => space.ops.indexOf(ops[`${from}>${to}`] ?? fill)));
}

describe('N-node cell space', () => {
  it('orders the edges of the complete DAG by target then source', () => {
    expect(cellEdges(2)).toEqual([[0, 1]]);
    expect(cellEdges(3)).toEqual([
      [0, 1],
      [0, 2],
      [1, 2],
    ]);
    expect(cellEdges(5).slice(6)).toEqual([
      [0, 4],
      [1, 4],
      [2, 4],
      [3, 4],
    ]);
    for (let n = 2; n <= CELL_MAX_NODES; n++) expect(cellEdges(n)).toHaveLength(cellEdgeCount(n));
    expect(() => cellEdges(1)).toThrow(RangeError);
  });

  it('generalises the string form and the graph size', () => {
    const s2 = cell(2);
    expect(s2.format([2])).toBe('|conv~0|');
    expect(s2.size).toBe(4);
    expect(s2.maxNodes).toBe(3);
    const s5 = cell(5);
    expect(s5.format([2, 0, 1, 3, 0, 1, 2, 0, 0, 1])).toBe('|conv~0|+|none~0|skip~1|+|pool~0|none~1|skip~2|+|conv~0|none~1|none~2|skip~3|');
    expect(s5.parse('|conv~0|+|none~0|skip~1|+|pool~0|none~1|skip~2|+|conv~0|none~1|none~2|skip~3|')).toEqual([2, 0, 1, 3, 0, 1, 2, 0, 0, 1]);
    expect(s5.size).toBe(4 ** 10);
    expect(s5.maxNodes).toBe(12);
    expect(s5.nodeOps).toEqual(['input', ...OPS, 'output']);
    expect(s5.indexOf(s5.fromIndex(123_456))).toBe(123_456);
  });

  it('refuses malformed text naming the expected form and the ops', () => {
    const s3 = cell(3);
    expect(() => s3.parse('|conv~0|+|none~0|none~1|+|none~0|none~1|none~2|')).toThrow(UserError);
    expect(() => s3.parse('|conv~0|')).toThrow(/malformed cell-3 cell "\|conv~0\|": expected \|op~0\|\+\|op~0\|op~1\| with op in none, skip, conv, pool/);
    expect(() => s3.parse('|conv~0|+|none~0|sep~1|')).toThrow(/unknown cell-3 op "sep"/);
    expect(s3.invalidReason([0, 1])).toMatch(/3 edges/);
  });

  it('builds the op-on-node DAG: input, one node per edge, output; edge i->j feeds every edge leaving j', () => {
    const s3 = cell(3);
    const g = s3.toGraph([2, 3, 1]);
    const n = s3.maxNodes;
    expect(Array.from(g.ops)).toEqual([0, 3, 4, 2, 5]);
    const edges: string[] = [];
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (g.adjacency[i * n + j]) edges.push(`${i}>${j}`);
    // graph nodes: 1 = edge 0>1, 2 = edge 0>2, 3 = edge 1>2; 0>1 feeds 1>2; into-2 edges feed output
    expect(edges.sort()).toEqual(['0>1', '0>2', '1>3', '2>4', '3>4']);
  });

  it('gives functionally identical cells the same key at any size', () => {
    const s5 = cell(5);
    const k = (ops: Record<string, string>) => s5.key(s5.parse(text(s5, ops)));
    // a chain of skips is the identity: conv after skip, skip equals conv directly
    expect(k({ '0>1': 'skip', '1>2': 'skip', '2>4': 'conv' })).toBe(k({ '0>4': 'conv' }));
    // edges into node 3, which nothing reads, do not matter
    expect(k({ '0>4': 'conv', '0>3': 'pool', '1>3': 'conv', '2>3': 'skip' })).toBe(k({ '0>4': 'conv' }));
    // which intermediate node holds the same computation does not matter
    expect(k({ '0>1': 'conv', '1>4': 'pool' })).toBe(k({ '0>3': 'conv', '3>4': 'pool' }));
    // sums are order-free
    expect(k({ '0>1': 'conv', '0>2': 'pool', '1>4': 'skip', '2>4': 'skip' })).toBe(k({ '0>1': 'pool', '0>2': 'conv', '1>4': 'skip', '2>4': 'skip' }));
    // all-zero cells are one class
    expect(k({})).toBe(k({ '0>1': 'conv', '1>2': 'pool' }));
    // different functions differ
    expect(k({ '0>4': 'conv' })).not.toBe(k({ '0>4': 'pool' }));
    expect(k({ '0>1': 'conv', '1>4': 'conv' })).not.toBe(k({ '0>4': 'conv' }));
    expect(k({ '0>4': 'skip', '0>1': 'skip', '1>4': 'skip' })).not.toBe(k({ '0>4': 'skip' }));
  });

  it('cellCanonicalForm with nodes = 4 is the default', () => {
    const sem = { none: 0, skip: 1, symbols: OPS };
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 6, maxLength: 6 }), (arch) => {
        expect(cellCanonicalForm(arch, sem, 4)).toBe(cellCanonicalForm(arch, sem));
      }),
    );
  });

  it('works without none or skip: every op is an ordinary function', () => {
    const s = cell(3, ['conv', 'pool']);
    expect(s.key(s.parse('|conv~0|+|conv~0|pool~1|'))).toBe('[conv(x)+pool(conv(x))]');
    expect(new Set([...s.enumerate!()].map((a) => s.key(a))).size).toBe(8);
  });

  it('with distinctMutation, mutate always changes the key, even where most edges are dead', () => {
    const s = cell(6);
    const rng = Rng.seeded(5);
    // only the input->output edge is live: nearly every one-edge change leaves the function alone
    const arch = s.parse(text(s, { '0>5': 'conv' }));
    for (let i = 0; i < 500; i++) expect(s.key(s.mutate(arch, rng))).not.toBe(s.key(arch));
  });

  it('refuses out-of-range node counts and op lists when built', () => {
    expect(() => cell(1)).toThrow(RangeError);
    expect(() => cell(CELL_MAX_NODES + 1)).toThrow(RangeError);
    expect(() => cell(4, ['conv'])).toThrow(RangeError);
  });

  it('keeps indexOf/fromIndex for sizes up to 2^53 and refuses them beyond, while enumerate stays lazy', () => {
    const big = cell(8, Array.from({ length: 16 }, (_, i) => (i === 0 ? 'none' : i === 1 ? 'skip' : `op${i}`)));
    expect(big.size).toBe(16 ** 28);
    expect(big.maxNodes).toBe(30);
    expect(() => big.indexOf(big.sample(Rng.seeded(1)))).toThrow(RangeError);
    const it = big.enumerate!()[Symbol.iterator]();
    expect(it.next().value).toEqual(new Array(28).fill(0));
    expect(it.next().value).toEqual([...new Array(27).fill(0), 1]);
  });
});

describe.each([
  ['2 nodes, 3 ops', cell(2, ['none', 'skip', 'conv'])],
  ['3 nodes, 4 ops', cell(3)],
  ['5 nodes, 4 ops', cell(5)],
  ['8 nodes, 16 ops', cell(8, ['none', 'skip', ...Array.from({ length: 14 }, (_, i) => `op${i}`)])],
  ['4 nodes, no none/skip', cell(4, ['conv', 'pool', 'sep'])],
])('cell space properties: %s', (_name, space) => {
  spaceProperties(space, {
    runs: 100,
    enumerate: 'archs',
    malformed: ['|conv~0|+', '|conv~1|', '|conv~0|+|conv~0|conv~0|'],
  });
});

const conv = (space: CellSpace) => (space === nb201Space ? 'nor_conv_3x3' : 'conv_3');
describe.each([
  ['nb201', nb201Space],
  ['ecg', ecgSpace],
])('built-in %s keeps its mutation (one edge changes; the key may stay)', (_name, space) => {
  spaceProperties(space, {
    runs: 100,
    mutateChangesKey: false,
    enumerate: 'archs',
    sameKey: [[`|${conv(space)}~0|+|none~0|none~1|+|none~0|skip_connect~1|none~2|`, `|none~0|+|${conv(space)}~0|none~1|+|none~0|none~1|skip_connect~2|`]],
  });
});
