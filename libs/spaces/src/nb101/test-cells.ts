import type { Rng } from '@dcl-enas/common';
import type { Nb101Arch } from './cell';

/** The three inner ops, spelled as the benchmark spells them. For tests. */
export const C3 = 'conv3x3-bn-relu';
export const C1 = 'conv1x1-bn-relu';
export const MP = 'maxpool3x3';

/**
 * A 5-vertex adjacency that pruning cuts down to 0 -> 1 -> 4 (output): vertex 2 is reached from
 * the input but leads nowhere; vertex 3 feeds the output but nothing feeds it. For tests.
 */
export const PRUNABLE_MATRIX: number[][] = [
  [0, 1, 1, 0, 0],
  [0, 0, 0, 0, 1],
  [0, 0, 0, 0, 0],
  [0, 0, 0, 0, 1],
  [0, 0, 0, 0, 0],
];

/**
 * Relabels the vertices of a cell along a random topological order (input stays first, output
 * last), so the result is an isomorphic, still upper-triangular cell. For tests.
 */
export function permuteCell(arch: Nb101Arch, rng: Rng): Nb101Arch {
  const n = arch.ops.length;
  const inDegree = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) inDegree[j] += arch.matrix[i][j];
  const order = [0];
  const placed = new Set<number>([0, n - 1]);
  const release = (v: number): void => {
    for (let w = 0; w < n; w++) if (arch.matrix[v][w]) inDegree[w]--;
  };
  release(0);
  while (order.length < n - 1) {
    const ready = [];
    for (let v = 1; v < n - 1; v++) if (!placed.has(v) && inDegree[v] === 0) ready.push(v);
    const v = rng.pick(ready);
    placed.add(v);
    order.push(v);
    release(v);
  }
  order.push(n - 1);
  return {
    matrix: order.map((i) => order.map((j) => arch.matrix[i][j])),
    ops: order.map((i) => arch.ops[i]),
  };
}
