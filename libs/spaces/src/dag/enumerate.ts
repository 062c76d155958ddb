import { DAG_INPUT, DAG_OUTPUT, type DagArch } from './cell';
import { dagHash } from './hash';
import type { DagRules } from './validate';

/**
 * A space offers `enumerate` and `size` only when enumerating it examines at most this many
 * graphs (examinedGraphCount). Within the bound, for instance: every space of 3 or 4 vertices;
 * 5 vertices with up to 6 ops; 6 vertices with 1 op; 7 vertices with 1 op and up to 7 edges; any
 * number of vertices with up to 3 edges (any ops), 4 edges and up to 9 ops, or 5 edges and up to
 * 2 ops. Not within it: NB101's own numbers (7 vertices, 9 edges, 3 ops: about 1.6e8). The largest
 * enumerable spaces take about a second (5 vertices, 10 edges, 6 ops: 19,751 keys).
 */
export const DAG_ENUMERATE_MAX_GRAPHS = 200_000;

function binomial(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  let c = 1;
  for (let i = 1; i <= k; i++) c = (c * (n - k + i)) / i;
  return Math.round(c);
}

/** Vertex counts a pruned cell can have: every inner vertex needs an edge in and out, so k vertices need at least k-1 edges. */
function prunedSizes(rules: DagRules): number[] {
  const sizes: number[] = [];
  for (let k = 2; k <= Math.min(rules.maxNodes, rules.maxEdges + 1); k++) sizes.push(k);
  return sizes;
}

const slotCount = (k: number): number => (k * (k - 1)) / 2;

/**
 * The graphs enumeration examines: for each vertex count k a pruned cell can have, every set of
 * k-1..maxEdges of the k(k-1)/2 forward edges, times the |ops|^(k-2) labellings of its inner
 * vertices. An upper bound on the work (isomorphic structures are labelled once); may be far
 * above 2^53 (then inexact, but huge).
 */
export function examinedGraphCount(rules: DagRules): number {
  let total = 0;
  for (const k of prunedSizes(rules)) {
    const s = slotCount(k);
    let edgeSets = 0;
    for (let e = k - 1; e <= Math.min(rules.maxEdges, s); e++) edgeSets += binomial(s, e);
    total += edgeSets * rules.ops.length ** (k - 2);
  }
  return total;
}

export function isEnumerable(rules: DagRules): boolean {
  return examinedGraphCount(rules) <= DAG_ENUMERATE_MAX_GRAPHS;
}

/** Every permutation of `items`. */
function permutations(items: readonly number[]): number[][] {
  if (items.length <= 1) return [items.slice()];
  const out: number[][] = [];
  items.forEach((first, i) => {
    for (const rest of permutations([...items.slice(0, i), ...items.slice(i + 1)])) out.push([first, ...rest]);
  });
  return out;
}

/** Structures of up to this many vertices are deduplicated up to isomorphism before labelling (k(k-1) bits fit a double). */
const DEDUP_MAX_VERTICES = 7;

/**
 * Isomorphism class of a k-vertex structure (input and output fixed): the least number whose
 * bits are the adjacency over all ordered pairs, over every relabelling of the inner vertices.
 */
function canonicalForm(matrix: readonly (readonly number[])[], relabellings: readonly (readonly number[])[]): number {
  let best = Infinity;
  for (const order of relabellings) {
    let code = 0;
    for (const i of order) for (const j of order) if (i !== j) code = code * 2 + matrix[i][j];
    if (code < best) best = code;
  }
  return best;
}

/** Whether the inner labelling moved by `order` (vertex v takes the label of order[v]) is lexicographically below `labelling`. */
function isSmaller(labelling: readonly number[], order: readonly number[]): boolean {
  for (let v = 1; v <= labelling.length; v++) {
    const moved = labelling[order[v] - 1];
    if (moved !== labelling[v - 1]) return moved < labelling[v - 1];
  }
  return false;
}

/**
 * The pruned structures of k vertices with `edges` edges: upper-triangular k x k matrices in which
 * every vertex but the input has an edge in and every vertex but the output an edge out (which in
 * a DAG puts every vertex on an input -> output path). Edge sets in lexicographic order of slots
 * read row by row.
 */
function* structures(k: number, edges: number): Generator<number[][]> {
  const slots: [number, number][] = [];
  for (let i = 0; i < k; i++) for (let j = i + 1; j < k; j++) slots.push([i, j]);
  if (edges > slots.length) return;
  const pick = Array.from({ length: edges }, (_, i) => i);
  for (;;) {
    const inDegree = new Array<number>(k).fill(0);
    const outDegree = new Array<number>(k).fill(0);
    for (const s of pick) {
      outDegree[slots[s][0]]++;
      inDegree[slots[s][1]]++;
    }
    let used = true;
    for (let v = 0; v < k && used; v++) used = (v === 0 || inDegree[v] > 0) && (v === k - 1 || outDegree[v] > 0);
    if (used) {
      const matrix = Array.from({ length: k }, () => new Array<number>(k).fill(0));
      for (const s of pick) matrix[slots[s][0]][slots[s][1]] = 1;
      yield matrix;
    }
    // Next combination of `edges` slots.
    let i = edges - 1;
    while (i >= 0 && pick[i] === slots.length - edges + i) i--;
    if (i < 0) return;
    pick[i]++;
    for (let j = i + 1; j < edges; j++) pick[j] = pick[j - 1] + 1;
  }
}

/**
 * One cell per distinct key of the space, each in pruned form (so with at most maxNodes vertices,
 * all of them on an input -> output path), in a fixed order: by vertex count, then edge count,
 * then edge set, then labelling in lexicographic `ops` order. Refuses a space over
 * DAG_ENUMERATE_MAX_GRAPHS.
 */
export function enumerateCells(rules: DagRules): DagArch[] {
  const examined = examinedGraphCount(rules);
  if (examined > DAG_ENUMERATE_MAX_GRAPHS) throw new RangeError(`${rules.label}: enumerating would examine ${examined} graphs, over ${DAG_ENUMERATE_MAX_GRAPHS}`);
  return enumerateUnbounded(rules);
}

/** enumerateCells without the bound: for one-off checks (NB101's 423,624 cells take 1-2 minutes). */
export function enumerateUnbounded(rules: DagRules): DagArch[] {
  const keys = new Set<string>();
  const cells: DagArch[] = [];
  for (const k of prunedSizes(rules)) {
    const dedup = k <= DEDUP_MAX_VERTICES;
    const relabellings = dedup ? permutations(Array.from({ length: k - 2 }, (_, v) => v + 1)).map((order) => [0, ...order, k - 1]) : [];
    const seen = new Set<number>();
    for (let edges = k - 1; edges <= Math.min(rules.maxEdges, slotCount(k)); edges++) {
      for (const matrix of structures(k, edges)) {
        let automorphisms: number[][] = [];
        if (dedup) {
          const form = canonicalForm(matrix, relabellings);
          if (seen.has(form)) continue;
          seen.add(form);
          automorphisms = relabellings.filter((order) => order.some((v, i) => v !== i) && order.every((a, i) => order.every((b, j) => matrix[a][b] === matrix[i][j])));
        }
        const labelling = new Array<number>(k - 2).fill(0);
        for (;;) {
          // Labellings an automorphism maps onto each other are the same cell: label only the least of them.
          if (!automorphisms.some((order) => isSmaller(labelling, order))) {
            const ops = [DAG_INPUT, ...labelling.map((o) => rules.ops[o]), DAG_OUTPUT];
            const key = dagHash({ matrix, ops }, rules.ops);
            if (!keys.has(key)) {
              keys.add(key);
              cells.push({ matrix: matrix.map((row) => row.slice()), ops });
            }
          }
          // Odometer over the inner labels, last vertex fastest.
          let v = k - 3;
          while (v >= 0 && labelling[v] === rules.ops.length - 1) labelling[v--] = 0;
          if (v < 0) break;
          labelling[v]++;
        }
      }
    }
  }
  return cells;
}
