import { describe, expect, it } from 'vitest';
import { nb101Space } from './space';
import type { Nb101Arch } from './cell';
import { C3 } from './test-cells';

/** A chain input -> v1 -> ... -> output on n vertices. */
function chain(n: number): Nb101Arch {
  const matrix = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (j === i + 1 ? 1 : 0)));
  return { matrix, ops: ['input', ...new Array<string>(n - 2).fill(C3), 'output'] };
}

function withEdges(arch: Nb101Arch, edges: [number, number][]): Nb101Arch {
  const matrix = arch.matrix.map((row) => row.slice());
  for (const [i, j] of edges) matrix[i][j] = 1;
  return { matrix, ops: arch.ops.slice() };
}

const reason = (arch: Nb101Arch): string | null => nb101Space.invalidReason(arch);

describe('nb101 invalidReason', () => {
  it('accepts a plain valid cell', () => {
    expect(reason(chain(7))).toBeNull();
    expect(nb101Space.isValid(chain(7))).toBe(true);
  });

  it('rejects a cell whose input does not reach the output', () => {
    const cell = chain(7);
    cell.matrix[3][4] = 0;
    expect(reason(cell)).toMatch(/input is not connected to output/);
    expect(nb101Space.isValid(cell)).toBe(false);
  });

  it('rejects more than 9 edges, counted after pruning', () => {
    // chain (6 edges) + 4 skips = 10 edges, all on input -> output paths.
    const tooMany = withEdges(chain(7), [[0, 2], [0, 3], [0, 4], [0, 5]]);
    expect(reason(tooMany)).toBe('too many edges after pruning: 10 (max 9)');
    // 10 edges in the matrix, but 2 of them touch a vertex that is pruned: NB101 accepts it.
    const dangling = chain(6);
    const seven = { matrix: dangling.matrix.map((r) => [...r.slice(0, 5), 0, r[5]]), ops: [...dangling.ops.slice(0, 5), C3, 'output'] };
    seven.matrix.splice(5, 0, [0, 0, 0, 0, 0, 0, 0]);
    const prunable = withEdges(seven, [[0, 5], [1, 5], [0, 2], [0, 3], [0, 4]]);
    expect(prunable.matrix.flat().reduce((a, b) => a + b, 0)).toBe(10);
    expect(reason(prunable)).toBeNull();
  });

  it('rejects more than 7 vertices, counted after pruning', () => {
    expect(reason(chain(8))).toBe('too many vertices after pruning: 8 (max 7)');
    // 8 vertices of which one is isolated: 7 remain after pruning.
    const eight = chain(7);
    const padded = { matrix: [...eight.matrix.map((r) => [...r.slice(0, 6), 0, r[6]])], ops: [...eight.ops.slice(0, 6), C3, 'output'] };
    padded.matrix.splice(6, 0, new Array<number>(8).fill(0));
    expect(padded.matrix).toHaveLength(8);
    expect(reason(padded)).toBeNull();
  });

  it('names shape and label problems', () => {
    expect(reason({ matrix: [[0, 1], [0]], ops: ['input', 'output'] })).toMatch(/not square: row 1 has 1 entries, expected 2/);
    expect(reason({ matrix: [[0, 1], [1, 0]], ops: ['input', 'output'] })).toMatch(/not upper-triangular: entry \[1\]\[0\]/);
    expect(reason({ matrix: [[1, 1], [0, 0]], ops: ['input', 'output'] })).toMatch(/not upper-triangular: entry \[0\]\[0\]/);
    expect(reason({ matrix: [[0, 2], [0, 0]], ops: ['input', 'output'] })).toMatch(/entry \[0\]\[1\] is 2; entries must be 0 or 1/);
    expect(reason({ matrix: chain(3).matrix, ops: ['input', 'output'] })).toMatch(/ops has 2 labels but the matrix has 3 vertices/);
    expect(reason({ matrix: chain(3).matrix, ops: ['input', 'conv5x5', 'output'] })).toMatch(/unknown op "conv5x5" at vertex 1/);
    expect(reason({ matrix: chain(3).matrix, ops: [C3, C3, 'output'] })).toMatch(/first op must be 'input'/);
    expect(reason({ matrix: chain(3).matrix, ops: ['input', C3, C3] })).toMatch(/last op must be 'output'/);
    expect(reason({ matrix: [[0]], ops: ['input'] })).toMatch(/at least an input and an output/);
    expect(reason({ ops: ['input'] } as unknown as Nb101Arch)).toMatch(/matrix is missing/);
  });

  it('makes key and toGraph refuse invalid cells with the reason', () => {
    expect(() => nb101Space.key(chain(8))).toThrow(/invalid NB101 cell: too many vertices/);
    expect(() => nb101Space.toGraph(chain(8))).toThrow(/invalid NB101 cell/);
  });
});
