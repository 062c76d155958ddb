import { NB101_INNER_OPS, NB101_MAX_NODES, type Nb101Arch } from '@dcl-enas/spaces';

/** A pruned NB101 cell packed into three small integers, for typed-array tables. */
export interface PackedCell {
  /** One bit per upper-triangular slot (21 for 7 vertices), set for an edge. */
  adjacency: number;
  /** 2 bits per inner vertex: its index in NB101_INNER_OPS. */
  ops: number;
  nodes: number;
}

/** Index of the upper-triangular slot (i, j), i < j < 7, in 0..20. */
export const upperSlot = (i: number, j: number): number => i * NB101_MAX_NODES - (i * (i + 1)) / 2 + (j - i - 1);

export function packCell(cell: Nb101Arch): PackedCell {
  const n = cell.ops.length;
  if (n > NB101_MAX_NODES) throw new RangeError(`packCell needs at most ${NB101_MAX_NODES} vertices, got ${n}`);
  let adjacency = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (cell.matrix[i][j]) adjacency |= 1 << upperSlot(i, j);
  let ops = 0;
  for (let v = 1; v < n - 1; v++) {
    const code = (NB101_INNER_OPS as readonly string[]).indexOf(cell.ops[v]);
    if (code < 0) throw new RangeError(`packCell: unknown op ${cell.ops[v]}`);
    ops |= code << (2 * (v - 1));
  }
  return { adjacency: adjacency >>> 0, ops, nodes: n };
}

export function unpackCell(adjacency: number, ops: number, nodes: number): Nb101Arch {
  const matrix = Array.from({ length: nodes }, (_, i) =>
    Array.from({ length: nodes }, (_, j) => (j > i && (adjacency >>> upperSlot(i, j)) & 1 ? 1 : 0)),
  );
  const labels = Array.from({ length: nodes }, (_, v) =>
    v === 0 ? 'input' : v === nodes - 1 ? 'output' : NB101_INNER_OPS[(ops >>> (2 * (v - 1))) & 3],
  );
  return { matrix, ops: labels };
}
