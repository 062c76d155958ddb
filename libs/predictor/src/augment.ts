import type { Rng } from '@dcl-enas/common';
import { pruneGraph, type GraphCodec, type WorkGraph } from './graph-codec';

export interface AugmentConfig {
  /** Chance that each edge is dropped, when dropping keeps every node on an input-output path. */
  readonly dropEdge: number;
  /**
   * Chance of removing one random interior node (a subgraph view), pruning what then no
   * longer lies on an input-output path; skipped when it would disconnect the output.
   */
  readonly dropNode: number;
  /** Chance that each interior node gets another interior op. */
  readonly substituteOp: number;
  /** Renumber the interior nodes at random (the encoder must not care). */
  readonly permute: boolean;
}

/**
 * One random view of a well-formed graph, itself well-formed (see graphProblem): a dropped node
 * takes with it whatever it alone connected; edges are only dropped while their source keeps
 * another outgoing and their target another incoming edge, which in a DAG keeps every node on
 * an input-output path.
 */
export function augment(g: WorkGraph, codec: GraphCodec, rng: Rng, cfg: AugmentConfig): WorkGraph {
  if (g.nodeCount > 3 && cfg.dropNode > 0 && rng.float() < cfg.dropNode) {
    const victim = 1 + rng.below(g.nodeCount - 2);
    const sub = pruneGraph(g, codec, (i) => i === victim);
    if (sub.nodeCount > 2) g = sub;
  }
  const n = codec.maxNodes;
  const count = g.nodeCount;
  const adjacency = Uint8Array.from(g.adjacency);
  const ops = Int8Array.from(g.ops);
  if (cfg.dropEdge > 0) {
    const outdeg = new Array<number>(count).fill(0);
    const indeg = new Array<number>(count).fill(0);
    const edges: [number, number][] = [];
    for (let i = 0; i < count; i++) {
      for (let j = 0; j < count; j++) {
        if (adjacency[i * n + j]) {
          edges.push([i, j]);
          outdeg[i]++;
          indeg[j]++;
        }
      }
    }
    for (const [i, j] of rng.shuffle(edges)) {
      if (outdeg[i] > 1 && indeg[j] > 1 && rng.float() < cfg.dropEdge) {
        adjacency[i * n + j] = 0;
        outdeg[i]--;
        indeg[j]--;
      }
    }
  }
  if (cfg.substituteOp > 0 && codec.interiorOps.length > 1) {
    for (let i = 1; i < count - 1; i++) {
      if (rng.float() < cfg.substituteOp) {
        const others = codec.interiorOps.filter((op) => op !== ops[i]);
        ops[i] = rng.pick(others);
      }
    }
  }
  const view = { nodeCount: count, adjacency, ops };
  return cfg.permute && count > 3 ? permuteInterior(view, n, rng) : view;
}

function permuteInterior(g: WorkGraph, n: number, rng: Rng): WorkGraph {
  const count = g.nodeCount;
  const interior = Array.from({ length: count - 2 }, (_, i) => i + 1);
  const order = [0, ...rng.shuffle(interior.slice()), count - 1];
  // order[newIndex] = oldIndex
  const adjacency = new Uint8Array(n * n);
  const ops = new Int8Array(n).fill(-1);
  for (let a = 0; a < count; a++) {
    ops[a] = g.ops[order[a]];
    for (let b = 0; b < count; b++) adjacency[a * n + b] = g.adjacency[order[a] * n + order[b]];
  }
  return { nodeCount: count, adjacency, ops };
}
