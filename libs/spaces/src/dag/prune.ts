import type { DagArch } from './cell';

/** A cell after pruning, with the original index of every vertex kept. */
export interface PrunedCell extends DagArch {
  readonly kept: readonly number[];
}

/**
 * NB101's ModelSpec pruning: keep only the vertices that lie on some input -> output path.
 * Returns null when the input does not reach the output. Expects a square, upper-triangular
 * matrix with one op per vertex.
 */
export function pruneCell(arch: DagArch): PrunedCell | null {
  const { matrix, ops } = arch;
  const n = ops.length;
  const fromInput = reach(n, 0, (v, w) => w > v && matrix[v][w] === 1);
  const toOutput = reach(n, n - 1, (v, w) => w < v && matrix[w][v] === 1);
  const kept: number[] = [];
  for (let v = 0; v < n; v++) if (fromInput[v] && toOutput[v]) kept.push(v);
  if (kept.length < 2) return null;
  return {
    matrix: kept.map((i) => kept.map((j) => (matrix[i][j] ? 1 : 0))),
    ops: kept.map((i) => ops[i]),
    kept,
  };
}

function reach(n: number, start: number, linked: (from: number, to: number) => boolean): boolean[] {
  const seen = new Array<boolean>(n).fill(false);
  seen[start] = true;
  const stack = [start];
  while (stack.length > 0) {
    const v = stack.pop() as number;
    for (let w = 0; w < n; w++) {
      if (!seen[w] && linked(v, w)) {
        seen[w] = true;
        stack.push(w);
      }
    }
  }
  return seen;
}
