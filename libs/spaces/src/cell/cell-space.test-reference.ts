/**
 * TEST REFERENCE ONLY: a verbatim copy of the 4-node cell space (cell-space.ts and cell-canonical.ts)
 * as it was before createCellSpace took `nodes`. cell-compat.test.ts checks that NB201 and ECG built by
 * the generalised createCellSpace give byte-identical results to this copy. Do not use it elsewhere.
 */
import { UserError, type Rng } from '@dcl-enas/common';
import { checkArchTextSize, quoteInput, type ArchGraph, type SearchSpace } from '../space';

/** Which edge ops have special meaning for the function a cell computes. */
interface CellSemantics {
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
export function referenceCellCanonicalForm(arch: readonly number[], semantics: CellSemantics): string {
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


/** The cell's 6 edges (from -> to) in the order of the string form `|a~0|+|b~0|c~1|+|d~0|e~1|f~2|`. */
const CELL_EDGES: readonly (readonly [number, number])[] = [
  [0, 1],
  [0, 2],
  [1, 2],
  [0, 3],
  [1, 3],
  [2, 3],
];
const EDGE_COUNT = 6;

/** A cell: the op index on each of the 6 edges, in CELL_EDGES order. */
type CellArch = readonly number[];

interface CellSpaceDefinition {
  readonly name: string;
  /** Human name used in error messages, e.g. "NAS-Bench-201". */
  readonly label: string;
  /** Edge operations; the index is what a CellArch stores. */
  readonly ops: readonly string[];
  /** Short op names for the canonical key, same order as `ops`. */
  readonly symbols: readonly string[];
  /** Which ops are `none` (zero) and `skip` (identity); they decide which cells compute the same function. */
  readonly semantics: Omit<CellSemantics, 'symbols'>;
}

interface CellSpace extends SearchSpace<CellArch> {
  readonly ops: readonly string[];
  /** Base-|ops| index over the edges (edge 0 most significant): a bijection onto 0..size-1. */
  indexOf(arch: CellArch): number;
  fromIndex(index: number): CellArch;
}

/**
 * A 4-node cell search space of the NAS-Bench-201 kind: nodes 0..3, an op on each of the 6
 * edges i<j, node j sums its incoming edges. The GNN sees the op-on-node DAG: input, one
 * node per edge, output (as arch2vec and NPENAS encode NAS-Bench-201).
 */
export function createReferenceCellSpace(def: CellSpaceDefinition): CellSpace {
  const opCount = def.ops.length;
  const size = opCount ** EDGE_COUNT;
  const nodeOps = ['input', ...def.ops, 'output'];
  const maxNodes = EDGE_COUNT + 2;
  const semantics: CellSemantics = { ...def.semantics, symbols: def.symbols };
  const pattern = /^\|([^|~]+)~0\|\+\|([^|~]+)~0\|([^|~]+)~1\|\+\|([^|~]+)~0\|([^|~]+)~1\|([^|~]+)~2\|$/;

  const format = (arch: CellArch): string => {
    const op = (e: number) => `${def.ops[arch[e]]}~${CELL_EDGES[e][0]}`;
    return `|${op(0)}|+|${op(1)}|${op(2)}|+|${op(3)}|${op(4)}|${op(5)}|`;
  };

  const parse = (text: string): CellArch => {
    checkArchTextSize(text, def.label);
    const m = pattern.exec(text.trim());
    if (!m) throw new UserError(`malformed ${def.label} cell ${quoteInput(text)}: expected |op~0|+|op~0|op~1|+|op~0|op~1|op~2| with op in ${def.ops.join(', ')}`);
    return m.slice(1).map((name) => {
      const idx = def.ops.indexOf(name);
      if (idx < 0) throw new UserError(`unknown ${def.label} op ${quoteInput(name, 40)} in ${quoteInput(text)}: use one of ${def.ops.join(', ')}`);
      return idx;
    });
  };

  const invalidReason = (arch: CellArch): string | null => {
    if (!Array.isArray(arch) || arch.length !== EDGE_COUNT) return `a ${def.label} cell has ${EDGE_COUNT} edges`;
    for (const op of arch) if (!Number.isInteger(op) || op < 0 || op >= opCount) return `edge op index ${op} is not in 0..${opCount - 1}`;
    return null;
  };

  const indexOf = (arch: CellArch): number => arch.reduce((idx, op) => idx * opCount + op, 0);

  const fromIndex = (index: number): CellArch => {
    if (!Number.isInteger(index) || index < 0 || index >= size) throw new RangeError(`${def.label} cell index out of range: ${index}`);
    const arch = new Array<number>(EDGE_COUNT);
    for (let e = EDGE_COUNT - 1; e >= 0; e--) {
      arch[e] = index % opCount;
      index = Math.floor(index / opCount);
    }
    return arch;
  };

  const toGraph = (arch: CellArch): ArchGraph => {
    const n = maxNodes;
    const adjacency = new Uint8Array(n * n);
    const ops = new Int8Array(n);
    const output = n - 1;
    ops[0] = 0;
    ops[output] = nodeOps.length - 1;
    for (let e = 0; e < EDGE_COUNT; e++) {
      const node = e + 1;
      ops[node] = arch[e] + 1;
      const [from, to] = CELL_EDGES[e];
      if (from === 0) adjacency[node] = 1;
      if (to === 3) adjacency[node * n + output] = 1;
      // edge e feeds every edge leaving its target cell-node
      for (let f = 0; f < EDGE_COUNT; f++) if (CELL_EDGES[f][0] === to) adjacency[node * n + (f + 1)] = 1;
    }
    return { nodeCount: n, adjacency, ops };
  };

  const mutate = (arch: CellArch, rng: Rng): CellArch => {
    const child = arch.slice();
    const edge = rng.below(EDGE_COUNT);
    child[edge] = (arch[edge] + 1 + rng.below(opCount - 1)) % opCount;
    return child;
  };

  return {
    name: def.name,
    ops: def.ops,
    maxNodes,
    nodeOps,
    size,
    sample: (rng) => Array.from({ length: EDGE_COUNT }, () => rng.below(opCount)),
    mutate,
    crossover: (a, b, rng) => a.map((op, e) => (rng.below(2) === 0 ? op : b[e])),
    isValid: (arch) => invalidReason(arch) === null,
    invalidReason,
    key: (arch) => referenceCellCanonicalForm(arch, semantics),
    toGraph,
    format,
    parse,
    indexOf,
    fromIndex,
    *enumerate() {
      for (let i = 0; i < size; i++) yield fromIndex(i);
    },
  };
}
