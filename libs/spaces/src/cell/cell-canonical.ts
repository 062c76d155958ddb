/** Which edge ops have special meaning for the function a cell computes. */
export interface CellSemantics {
  /** Op index of `none` (the edge contributes zero); -1 when the space has no such op. */
  readonly none: number;
  /** Op index of the identity (skip connection); -1 when the space has no such op. */
  readonly skip: number;
  /** Short name of every op, for the canonical form. */
  readonly symbols: readonly string[];
}

/** The 4-node cell the built-in spaces use (NB201, ECG): 6 edges. */
export const DEFAULT_CELL_NODES = 4;

/**
 * The edges (from -> to) of the complete DAG on `nodes` cell-nodes, ordered by target then
 * source: the order of a cell's ops and of its string form `|a~0|+|b~0|c~1|+|d~0|e~1|f~2|+...`.
 * For 4 nodes: [0,1], [0,2], [1,2], [0,3], [1,3], [2,3].
 */
export function cellEdges(nodes: number): readonly (readonly [number, number])[] {
  if (!Number.isInteger(nodes) || nodes < 2) throw new RangeError(`a cell has at least 2 nodes, got ${nodes}`);
  const edges: [number, number][] = [];
  for (let to = 1; to < nodes; to++) for (let from = 0; from < to; from++) edges.push([from, to]);
  return edges;
}

/** Number of edges of the complete DAG on `nodes` cell-nodes: nodes * (nodes - 1) / 2. */
export const cellEdgeCount = (nodes: number): number => (nodes * (nodes - 1)) / 2;

/** A node's value as the sorted multiset of terms it sums; empty = identically zero. */
type Sum = readonly string[];

const render = (sum: Sum): string => (sum.length === 0 ? '0' : sum.length === 1 ? sum[0] : `[${sum.join('+')}]`);

/**
 * The function a cell computes, as a canonical expression: each node is the sum of its
 * incoming terms op(source); `none` and inputs that are identically zero contribute nothing,
 * the identity adds its input's terms unchanged, and sums are flattened and order-free.
 * Cells that differ only by edges that cannot reach the output, or by which intermediate node
 * holds an identical sub-computation, get the same form. Used as the isomorphism-invariant key.
 *
 * `arch` holds one op per edge in cellEdges(nodes) order; `nodes` defaults to 4 (the NB201 cell),
 * for which the form is exactly that of the original 4-node implementation.
 */
export function cellCanonicalForm(arch: readonly number[], semantics: CellSemantics, nodes = DEFAULT_CELL_NODES): string {
  const node: Sum[] = [['x']];
  let e = 0;
  // edges are ordered by target then source, so the edges into `target` are the next `target` ones
  for (let target = 1; target < nodes; target++) {
    const terms: string[] = [];
    for (let from = 0; from < target; from++, e++) {
      const input = node[from];
      const op = arch[e];
      if (op === semantics.none || input.length === 0) continue;
      if (op === semantics.skip) terms.push(...input);
      else terms.push(`${semantics.symbols[op]}(${render(input)})`);
    }
    node[target] = terms.sort();
  }
  return render(node[nodes - 1]);
}
