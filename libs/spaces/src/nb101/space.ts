import { UserError, type Rng } from '@dcl-enas/common';
import type { ArchGraph, SearchSpace } from '../space';
import type { Nb101Arch } from './cell';
import { formatCell, parseCell } from './format';
import { nb101Hash } from './hash';
import { NB101_MAX_NODES, NB101_NODE_OPS } from './ops';
import { crossoverCells, mutateCell, sampleCell } from './operators';
import { checkCell } from './validate';
import type { PrunedCell } from './prune';

function prunedOrThrow(arch: Nb101Arch): PrunedCell {
  const check = checkCell(arch);
  if (check.reason !== null) throw new UserError(`invalid NB101 cell: ${check.reason}`);
  return check.pruned;
}

/** The NAS-Bench-101 cell space; `key` is the benchmark's own module hash. No `enumerate` (423,624 cells). */
export const nb101Space: SearchSpace<Nb101Arch> = {
  name: 'nb101',
  maxNodes: NB101_MAX_NODES,
  nodeOps: NB101_NODE_OPS,
  /** Unique cells (module hashes) in NAS-Bench-101. */
  size: 423_624,

  sample: (rng: Rng) => sampleCell(rng),
  mutate: (arch: Nb101Arch, rng: Rng) => mutateCell(arch, rng),
  crossover: (a: Nb101Arch, b: Nb101Arch, rng: Rng) => crossoverCells(a, b, rng),
  isValid: (arch: Nb101Arch) => checkCell(arch).reason === null,
  invalidReason: (arch: Nb101Arch) => checkCell(arch).reason,
  key: (arch: Nb101Arch) => nb101Hash(prunedOrThrow(arch)),

  toGraph(arch: Nb101Arch): ArchGraph {
    const pruned = prunedOrThrow(arch);
    const n = pruned.ops.length;
    const adjacency = new Uint8Array(NB101_MAX_NODES * NB101_MAX_NODES);
    const ops = new Int8Array(NB101_MAX_NODES).fill(-1);
    for (let i = 0; i < n; i++) {
      ops[i] = (NB101_NODE_OPS as readonly string[]).indexOf(pruned.ops[i]);
      for (let j = 0; j < n; j++) adjacency[i * NB101_MAX_NODES + j] = pruned.matrix[i][j];
    }
    return { nodeCount: n, adjacency, ops };
  },

  format: formatCell,
  parse: parseCell,
};
