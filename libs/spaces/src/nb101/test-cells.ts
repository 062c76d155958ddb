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

/**
 * Published (cell, module hash) pairs from the benchmark itself:
 * - NNI's NAS-Bench-101 example (microsoft/nni docs/en_US/NAS/BenchmarksExample.ipynb, v1.7):
 *   the cell given as op1..op5 / input1..input6 is stored under hash 00005c142e6f48ac74fdcf73e3439874;
 *   the same (matrix, ops, hash) appears in a JSON dump of nasbench_only108 (CTNAS) and in the
 *   searchspace_train tests, which read it from the tfrecord.
 * - NASLib (automl/NASLib, naslib test of the NB101 search space): HASHSPEC
 *   ff940d27cbe9ed0a639a68a9c3f87283 resolves through the NB101 API to FIXED_ARCH, given there
 *   as NASLib's flat tuple (matrix rows, then ops coded input=0, output=1, maxpool3x3=2,
 *   conv1x1=3, conv3x3=4), decoded below. For tests.
 */
export const PUBLISHED: { source: string; cell: Nb101Arch; hash: string }[] = [
  {
    source: 'NNI BenchmarksExample / nasbench_only108 dump',
    hash: '00005c142e6f48ac74fdcf73e3439874',
    cell: {
      matrix: [
        [0, 1, 0, 0, 1, 1, 0],
        [0, 0, 1, 0, 0, 0, 0],
        [0, 0, 0, 1, 0, 0, 1],
        [0, 0, 0, 0, 0, 1, 0],
        [0, 0, 0, 0, 0, 1, 0],
        [0, 0, 0, 0, 0, 0, 1],
        [0, 0, 0, 0, 0, 0, 0],
      ],
      ops: ['input', C3, MP, C3, C3, C1, 'output'],
    },
  },
  {
    source: 'NASLib NB101 search-space test (HASHSPEC -> FIXED_ARCH)',
    hash: 'ff940d27cbe9ed0a639a68a9c3f87283',
    cell: {
      matrix: [
        [0, 1, 1, 0, 1, 1, 0],
        [0, 0, 0, 0, 1, 0, 0],
        [0, 0, 0, 1, 0, 0, 0],
        [0, 0, 0, 0, 1, 0, 0],
        [0, 0, 0, 0, 0, 1, 0],
        [0, 0, 0, 0, 0, 0, 1],
        [0, 0, 0, 0, 0, 0, 0],
      ],
      ops: ['input', MP, C3, C1, C1, C3, 'output'],
    },
  },
];

/**
 * google-research/nasbench README: the Inception-like query cell, and the module_adjacency /
 * module_operations the dataset returns for it (same graph, vertices in another order). For tests.
 */
export const README_QUERY_CELL: Nb101Arch = {
  matrix: [
    [0, 1, 1, 1, 0, 1, 0],
    [0, 0, 0, 0, 0, 0, 1],
    [0, 0, 0, 0, 0, 0, 1],
    [0, 0, 0, 0, 1, 0, 0],
    [0, 0, 0, 0, 0, 0, 1],
    [0, 0, 0, 0, 0, 0, 1],
    [0, 0, 0, 0, 0, 0, 0],
  ],
  ops: ['input', C1, C3, C3, C3, MP, 'output'],
};
export const README_STORED_CELL: Nb101Arch = {
  matrix: [
    [0, 1, 1, 1, 1, 0, 0],
    [0, 0, 0, 0, 0, 0, 1],
    [0, 0, 0, 0, 0, 0, 1],
    [0, 0, 0, 0, 0, 0, 1],
    [0, 0, 0, 0, 0, 1, 0],
    [0, 0, 0, 0, 0, 0, 1],
    [0, 0, 0, 0, 0, 0, 0],
  ],
  ops: ['input', C3, C1, MP, C3, C3, 'output'],
};
