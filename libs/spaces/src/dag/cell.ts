/**
 * A cell of a `dag` space: an upper-triangular 0/1 adjacency matrix (row = source vertex) and one
 * op label per vertex, `input` first and `output` last. It may hold vertices that pruning drops
 * (not on any input -> output path). The same shape as an NB101 cell.
 */
export interface DagArch {
  matrix: number[][];
  ops: string[];
}

export const DAG_INPUT = 'input';
export const DAG_OUTPUT = 'output';

export function cloneCell(arch: DagArch): DagArch {
  return { matrix: arch.matrix.map((row) => row.slice()), ops: arch.ops.slice() };
}

export function edgeCount(matrix: readonly (readonly number[])[]): number {
  let edges = 0;
  for (const row of matrix) for (const value of row) edges += value;
  return edges;
}

/**
 * The same cell on exactly `nodes` vertices: isolated vertices labelled `fillOp` (pruned, so the
 * key is unchanged) are inserted just before the output. The cell must have at most `nodes` vertices.
 */
export function padCell(arch: DagArch, nodes: number, fillOp: string): DagArch {
  const n = arch.ops.length;
  if (n > nodes) throw new RangeError(`padCell needs at most ${nodes} vertices, got ${n}`);
  const at = (i: number): number => (i === n - 1 ? nodes - 1 : i);
  const matrix = Array.from({ length: nodes }, () => new Array<number>(nodes).fill(0));
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (arch.matrix[i][j]) matrix[at(i)][at(j)] = 1;
  const ops = new Array<string>(nodes).fill(fillOp);
  for (let i = 0; i < n; i++) ops[at(i)] = arch.ops[i];
  return { matrix, ops };
}
