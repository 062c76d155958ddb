/** Which edge ops have special meaning for the function a cell computes. */
export interface CellSemantics {
  /** Op index of `none` (the edge contributes zero). */
  readonly none: number;
  /** Op index of the identity (skip connection). */
  readonly skip: number;
  /** Short name of every op, for the canonical form. */
  readonly symbols: readonly string[];
}

/** Which cell-node each edge starts from / ends at, in cell string order. */
const EDGE_FROM = [0, 0, 1, 0, 1, 2];
const EDGE_TO = [1, 2, 2, 3, 3, 3];

/** A node's value as the sorted multiset of terms it sums; empty = identically zero. */
type Sum = readonly string[];

const render = (sum: Sum): string => (sum.length === 0 ? '0' : sum.length === 1 ? sum[0] : `[${sum.join('+')}]`);

/**
 * The function a cell computes, as a canonical expression: each node is the sum of its
 * incoming terms op(source); `none` and inputs that are identically zero contribute nothing,
 * the identity adds its input's terms unchanged, and sums are flattened and order-free.
 * Cells that differ only by edges that cannot reach the output, or by which intermediate node
 * holds an identical sub-computation, get the same form. Used as the isomorphism-invariant key.
 */
export function cellCanonicalForm(arch: readonly number[], semantics: CellSemantics): string {
  const node: Sum[] = [['x'], [], [], []];
  for (let target = 1; target <= 3; target++) {
    const terms: string[] = [];
    for (let e = 0; e < 6; e++) {
      if (EDGE_TO[e] !== target) continue;
      const input = node[EDGE_FROM[e]];
      const op = arch[e];
      if (op === semantics.none || input.length === 0) continue;
      if (op === semantics.skip) terms.push(...input);
      else terms.push(`${semantics.symbols[op]}(${render(input)})`);
    }
    node[target] = terms.sort();
  }
  return render(node[3]);
}
