import { NB101_INNER_OPS, NB101_MAX_NODES } from './ops';

/**
 * A NAS-Bench-101 cell: an upper-triangular 0/1 adjacency matrix (row = source vertex) and one
 * op label per vertex, `input` first and `output` last. It may hold vertices that NB101 prunes.
 */
export interface Nb101Arch {
  matrix: number[][];
  ops: string[];
}

export function cloneCell(arch: Nb101Arch): Nb101Arch {
  return { matrix: arch.matrix.map((row) => row.slice()), ops: arch.ops.slice() };
}

export function edgeCount(matrix: readonly (readonly number[])[]): number {
  let edges = 0;
  for (const row of matrix) for (const value of row) edges += value;
  return edges;
}

/**
 * The same cell on exactly 7 vertices: isolated vertices (which NB101 prunes, so the hash is
 * unchanged) are inserted just before the output. Gives mutation and crossover room to grow the
 * cell. The cell must have at most 7 vertices.
 */
export function padToMaxNodes(arch: Nb101Arch): Nb101Arch {
  const n = arch.ops.length;
  if (n > NB101_MAX_NODES) throw new RangeError(`padToMaxNodes needs at most ${NB101_MAX_NODES} vertices, got ${n}`);
  const at = (i: number): number => (i === n - 1 ? NB101_MAX_NODES - 1 : i);
  const matrix = Array.from({ length: NB101_MAX_NODES }, () => new Array<number>(NB101_MAX_NODES).fill(0));
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (arch.matrix[i][j]) matrix[at(i)][at(j)] = 1;
  const ops = new Array<string>(NB101_MAX_NODES).fill(NB101_INNER_OPS[0]);
  for (let i = 0; i < n; i++) ops[at(i)] = arch.ops[i];
  return { matrix, ops };
}
