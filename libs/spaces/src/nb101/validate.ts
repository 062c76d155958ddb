import { edgeCount, type Nb101Arch } from './cell';
import { NB101_INNER_OPS, NB101_INPUT, NB101_MAX_EDGES, NB101_MAX_NODES, NB101_OUTPUT, isInnerOp } from './ops';
import { pruneCell, type PrunedCell } from './prune';

/** What is wrong with the matrix/ops themselves (before any pruning), or null. */
export function shapeProblem(arch: Nb101Arch): string | null {
  const { matrix, ops } = (arch ?? {}) as Partial<Nb101Arch>;
  if (!Array.isArray(matrix)) return 'matrix is missing or not an array of rows';
  if (!Array.isArray(ops)) return 'ops is missing or not an array of op labels';
  const n = matrix.length;
  if (n < 2) return `matrix has ${n} vertices; a cell needs at least an input and an output`;
  for (let i = 0; i < n; i++) {
    const row = matrix[i];
    if (!Array.isArray(row) || row.length !== n) {
      return `matrix is not square: row ${i} has ${Array.isArray(row) ? row.length : 'no'} entries, expected ${n}`;
    }
    for (let j = 0; j < n; j++) {
      if (row[j] !== 0 && row[j] !== 1) return `matrix entry [${i}][${j}] is ${JSON.stringify(row[j])}; entries must be 0 or 1`;
      if (j <= i && row[j] === 1) {
        return `matrix is not upper-triangular: entry [${i}][${j}] is 1 (an edge must go from a vertex to a later one)`;
      }
    }
  }
  if (ops.length !== n) return `ops has ${ops.length} labels but the matrix has ${n} vertices`;
  if (ops[0] !== NB101_INPUT) return `first op must be '${NB101_INPUT}', got ${JSON.stringify(ops[0])}`;
  if (ops[n - 1] !== NB101_OUTPUT) return `last op must be '${NB101_OUTPUT}', got ${JSON.stringify(ops[n - 1])}`;
  for (let v = 1; v < n - 1; v++) {
    if (!isInnerOp(ops[v])) return `unknown op ${JSON.stringify(ops[v])} at vertex ${v} (allowed: ${NB101_INNER_OPS.join(', ')})`;
  }
  return null;
}

export type Nb101Check = { reason: string; pruned?: undefined } | { reason: null; pruned: PrunedCell };

/** NB101's validity rules: vertex and edge limits apply to the pruned cell, as NB101 counts them. */
export function checkCell(arch: Nb101Arch): Nb101Check {
  const shape = shapeProblem(arch);
  if (shape) return { reason: shape };
  const pruned = pruneCell(arch);
  if (!pruned) return { reason: 'input is not connected to output (no path from vertex 0 to the last vertex)' };
  const vertices = pruned.ops.length;
  if (vertices > NB101_MAX_NODES) return { reason: `too many vertices after pruning: ${vertices} (max ${NB101_MAX_NODES})` };
  const edges = edgeCount(pruned.matrix);
  if (edges > NB101_MAX_EDGES) return { reason: `too many edges after pruning: ${edges} (max ${NB101_MAX_EDGES})` };
  return { reason: null, pruned };
}
