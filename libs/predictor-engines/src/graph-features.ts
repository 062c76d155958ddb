import type { SearchSpace } from '@dcl-enas/spaces';

/** Fixed-length features of an architecture graph: one-hot op per node, then the upper-triangular adjacency. */
export function graphFeatures<A>(space: SearchSpace<A>, arch: A): Float64Array {
  const g = space.toGraph(arch);
  const n = space.maxNodes;
  const ops = space.nodeOps.length;
  const out = new Float64Array(featureCount(space));
  for (let i = 0; i < n; i++) if (g.ops[i] >= 0) out[i * ops + g.ops[i]] = 1;
  let at = n * ops;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) out[at++] = g.adjacency[i * n + j];
  return out;
}

export function featureCount(space: SearchSpace<unknown>): number {
  return space.maxNodes * space.nodeOps.length + (space.maxNodes * (space.maxNodes - 1)) / 2;
}
