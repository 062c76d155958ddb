import type { ArchGraph, SearchSpace } from '@dcl-enas/spaces';

/** What the encoder needs to know about a space's graphs. */
export interface GraphCodec {
  readonly space: string;
  readonly maxNodes: number;
  /** One-hot width: the space's node-op vocabulary. */
  readonly opCount: number;
  readonly inputOp: number;
  readonly outputOp: number;
  /** The op that outputs zero (NB201 `none`), or -1 when the space has none. */
  readonly zeroOp: number;
  /** Ops an interior node may carry (everything but input, output and the zero op). */
  readonly interiorOps: readonly number[];
}

export function codecFor(space: Pick<SearchSpace, 'name' | 'maxNodes' | 'nodeOps'>): GraphCodec {
  const ops = space.nodeOps;
  const inputOp = ops.indexOf('input');
  const outputOp = ops.indexOf('output');
  if (inputOp < 0 || outputOp < 0) throw new Error(`space ${space.name}: nodeOps must contain "input" and "output"`);
  const zeroOp = ops.indexOf('none');
  const interiorOps = ops.map((_, i) => i).filter((i) => i !== inputOp && i !== outputOp && i !== zeroOp);
  return { space: space.name, maxNodes: space.maxNodes, opCount: ops.length, inputOp, outputOp, zeroOp, interiorOps };
}

/** A mutable working copy of a graph: adjacency as a dense 0/1 matrix over `maxNodes`. */
export interface WorkGraph {
  nodeCount: number;
  adjacency: Uint8Array;
  ops: Int8Array;
}

export const copyGraph = (g: ArchGraph): WorkGraph => ({
  nodeCount: g.nodeCount,
  adjacency: Uint8Array.from(g.adjacency),
  ops: Int8Array.from(g.ops),
});

/**
 * The graph of what the architecture actually computes: nodes carrying the zero op lose their
 * edges, then every node not on an input-to-output path is removed and the rest renumbered in
 * order (input first, output last). Functionally identical cells thus encode identically.
 * A cell whose output is identically zero becomes just input and output with no edge.
 * `removed` names further nodes to treat as zero (the node-dropping augmentation).
 */
export function pruneGraph(g: ArchGraph | WorkGraph, codec: GraphCodec, removed: (node: number) => boolean = () => false): WorkGraph {
  const n = codec.maxNodes;
  const count = g.nodeCount;
  const live = (i: number) => g.ops[i] !== codec.zeroOp && !removed(i);
  const edge = (i: number, j: number) => g.adjacency[i * n + j] === 1 && live(i) && live(j);
  const fromInput = reach(count, 0, (i, j) => edge(i, j));
  const toOutput = reach(count, count - 1, (i, j) => edge(j, i));
  const keep: number[] = [];
  const connected = fromInput[count - 1] === 1;
  for (let i = 0; i < count; i++) {
    const endpoint = i === 0 || i === count - 1;
    if (endpoint || (connected && fromInput[i] && toOutput[i])) keep.push(i);
  }
  const out: WorkGraph = { nodeCount: keep.length, adjacency: new Uint8Array(n * n), ops: new Int8Array(n).fill(-1) };
  keep.forEach((oldI, newI) => {
    out.ops[newI] = g.ops[oldI];
    if (!connected) return;
    keep.forEach((oldJ, newJ) => {
      if (edge(oldI, oldJ)) out.adjacency[newI * n + newJ] = 1;
    });
  });
  return out;
}

/** Nodes reachable from `start` following `step(from, to)`. */
function reach(count: number, start: number, step: (from: number, to: number) => boolean): Uint8Array {
  const seen = new Uint8Array(count);
  const stack = [start];
  seen[start] = 1;
  while (stack.length) {
    const i = stack.pop() as number;
    for (let j = 0; j < count; j++) {
      if (!seen[j] && step(i, j)) {
        seen[j] = 1;
        stack.push(j);
      }
    }
  }
  return seen;
}

/**
 * Why `g` is not a well-formed encoder input, or null. Well-formed: acyclic; node 0 is the input
 * and `nodeCount - 1` the output, no other node carries either op; every other node lies on an
 * input-to-output path; padding nodes carry op -1 and no edges. The one exception is the empty
 * cell (input and output only, no edge), which stands for an identically-zero architecture.
 */
export function graphProblem(g: WorkGraph | ArchGraph, codec: GraphCodec): string | null {
  const n = codec.maxNodes;
  const count = g.nodeCount;
  if (count < 2 || count > n) return `nodeCount ${count} outside 2..${n}`;
  if (g.ops[0] !== codec.inputOp) return 'node 0 is not the input';
  if (g.ops[count - 1] !== codec.outputOp) return 'last node is not the output';
  for (let i = 1; i < count - 1; i++) {
    const op = g.ops[i];
    if (op < 0 || op >= codec.opCount || op === codec.inputOp || op === codec.outputOp) return `node ${i} has op ${op}`;
  }
  for (let i = count; i < n; i++) {
    if (g.ops[i] !== -1) return `padding node ${i} has op ${g.ops[i]}`;
    for (let j = 0; j < n; j++) if (g.adjacency[i * n + j] || g.adjacency[j * n + i]) return `padding node ${i} has an edge`;
  }
  const edges = g.adjacency.reduce((s, v) => s + v, 0);
  if (count === 2 && edges === 0) return null;
  const indeg = new Array<number>(count).fill(0);
  const outdeg = new Array<number>(count).fill(0);
  for (let i = 0; i < count; i++) {
    if (g.adjacency[i * n + i]) return `self-loop on node ${i}`;
    for (let j = 0; j < count; j++) {
      if (g.adjacency[i * n + j]) {
        outdeg[i]++;
        indeg[j]++;
      }
    }
  }
  if (indeg[0] > 0) return 'input has incoming edges';
  if (outdeg[count - 1] > 0) return 'output has outgoing edges';
  // In a DAG whose only source is the input and only sink the output, every node is on a path.
  for (let i = 1; i < count - 1; i++) if (indeg[i] === 0 || outdeg[i] === 0) return `node ${i} is not on an input-output path`;
  if (outdeg[0] === 0) return 'input has no outgoing edge';
  return isAcyclic(g, count, n) ? null : 'graph has a cycle';
}

function isAcyclic(g: WorkGraph | ArchGraph, count: number, n: number): boolean {
  const indeg = new Array<number>(count).fill(0);
  for (let i = 0; i < count; i++) for (let j = 0; j < count; j++) indeg[j] += g.adjacency[i * n + j];
  const queue = indeg.flatMap((d, i) => (d === 0 ? [i] : []));
  let seen = 0;
  while (queue.length) {
    const i = queue.pop() as number;
    seen++;
    for (let j = 0; j < count; j++) if (g.adjacency[i * n + j] && --indeg[j] === 0) queue.push(j);
  }
  return seen === count;
}
