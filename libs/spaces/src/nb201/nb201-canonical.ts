import type { Nb201Arch } from './nb201-space';

// Edge op indices with special meaning for the function a cell computes.
const NONE = 0;
const SKIP = 1;
const OP_SYMBOLS = ['none', 'skip', 'c1', 'c3', 'ap'];
/** Which cell-node each edge starts from / ends at, in NB201 string order. */
const EDGE_FROM = [0, 0, 1, 0, 1, 2];
const EDGE_TO = [1, 2, 2, 3, 3, 3];

/** A node's value as the sorted multiset of terms it sums; empty = identically zero. */
type Sum = readonly string[];

const render = (sum: Sum): string => (sum.length === 0 ? '0' : sum.length === 1 ? sum[0] : `[${sum.join('+')}]`);

/**
 * The function a cell computes, as a canonical expression: each node is the sum of its
 * incoming terms op(source); `none` and inputs that are identically zero contribute nothing,
 * `skip_connect` adds its input's terms unchanged, and sums are flattened and order-free.
 * Cells that differ only by edges that cannot reach the output, or by which intermediate node
 * holds an identical sub-computation, get the same form. Used as the isomorphism-invariant key.
 */
export function nb201CanonicalForm(arch: Nb201Arch): string {
  const node: Sum[] = [['x'], [], [], []];
  for (let target = 1; target <= 3; target++) {
    const terms: string[] = [];
    for (let e = 0; e < 6; e++) {
      if (EDGE_TO[e] !== target) continue;
      const input = node[EDGE_FROM[e]];
      const op = arch[e];
      if (op === NONE || input.length === 0) continue;
      if (op === SKIP) terms.push(...input);
      else terms.push(`${OP_SYMBOLS[op]}(${render(input)})`);
    }
    node[target] = terms.sort();
  }
  return render(node[3]);
}
