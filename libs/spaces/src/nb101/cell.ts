import { padCell, type DagArch } from '../dag/cell';
import { NB101_INNER_OPS, NB101_MAX_NODES } from './ops';

/**
 * A NAS-Bench-101 cell: an upper-triangular 0/1 adjacency matrix (row = source vertex) and one
 * op label per vertex, `input` first and `output` last. It may hold vertices that NB101 prunes.
 * The dag type's cell (libs/spaces/src/dag): NB101 is the dag space over NB101_INNER_OPS.
 */
export type Nb101Arch = DagArch;

/**
 * The same cell on exactly 7 vertices: isolated vertices (which NB101 prunes, so the hash is
 * unchanged) are inserted just before the output. Gives mutation and crossover room to grow the
 * cell. The cell must have at most 7 vertices.
 */
export function padToMaxNodes(arch: Nb101Arch): Nb101Arch {
  const n = arch.ops.length;
  if (n > NB101_MAX_NODES) throw new RangeError(`padToMaxNodes needs at most ${NB101_MAX_NODES} vertices, got ${n}`);
  return padCell(arch, NB101_MAX_NODES, NB101_INNER_OPS[0]);
}
