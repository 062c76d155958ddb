import type { SearchSpace } from '../space';
import { createDagSpace } from '../dag/space';
import type { Nb101Arch } from './cell';
import { NB101_INNER_OPS, NB101_MAX_EDGES, NB101_MAX_NODES, NB101_NODE_OPS } from './ops';

/**
 * The NAS-Bench-101 cell space: the dag space over NB101's inner ops (in the order its hash
 * labels them) with 7 vertices and 9 edges, so `key` is the benchmark's own module hash. Its
 * one-hot vocabulary keeps NB101_NODE_OPS's order. No `enumerate` (423,624 cells, too many).
 */
export const nb101Space: SearchSpace<Nb101Arch> = createDagSpace(
  { name: 'nb101', label: 'NB101', ops: NB101_INNER_OPS, maxNodes: NB101_MAX_NODES, maxEdges: NB101_MAX_EDGES },
  {
    nodeOps: NB101_NODE_OPS,
    /** Unique cells (module hashes) in NAS-Bench-101. */
    size: 423_624,
  },
);
