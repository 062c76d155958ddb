import { UserError, type Rng } from '@dcl-enas/common';
import { checkArchTextSize, quoteInput, type ArchGraph, type SearchSpace } from '../space';
import { DEFAULT_CELL_NODES, cellCanonicalForm, cellEdges, type CellSemantics } from './cell-canonical';

/** The 4-node cell's 6 edges (from -> to) in the order of the string form `|a~0|+|b~0|c~1|+|d~0|e~1|f~2|`. */
export const CELL_EDGES: readonly (readonly [number, number])[] = cellEdges(DEFAULT_CELL_NODES);

/** A cell: the op index on each edge, in cellEdges(nodes) order (CELL_EDGES for the 4-node cell). */
export type CellArch = readonly number[];

/** Most cell-nodes createCellSpace builds (28 edges; the graph has 30 nodes). */
export const CELL_MAX_NODES = 8;

/** Draws of the plain one-edge mutation before a `distinctMutation` space falls back to the input->output edge. */
const DISTINCT_MUTATION_TRIES = 32;

export interface CellSpaceDefinition {
  readonly name: string;
  /** Human name used in error messages, e.g. "NAS-Bench-201". */
  readonly label: string;
  /** Edge operations; the index is what a CellArch stores. At least 2. */
  readonly ops: readonly string[];
  /** Short op names for the canonical key, same order as `ops`. */
  readonly symbols: readonly string[];
  /** Which ops are `none` (zero) and `skip` (identity), -1 for none such; they decide which cells compute the same function. */
  readonly semantics: Omit<CellSemantics, 'symbols'>;
  /** Cell-nodes 2..CELL_MAX_NODES, an op on every edge i<j; default 4 (the NB201 cell). */
  readonly nodes?: number;
  /**
   * When true, `mutate` re-draws until the functional key changes (declared spaces). The default,
   * false, keeps the built-in spaces' mutation (one edge gets another op, the key may stay).
   */
  readonly distinctMutation?: boolean;
}

export interface CellSpace extends SearchSpace<CellArch> {
  readonly ops: readonly string[];
  /** Cell-nodes: node 0 is the cell input, node nodes-1 its output. */
  readonly nodes: number;
  /** The edges (from -> to), in the order a CellArch stores their ops. */
  readonly edges: readonly (readonly [number, number])[];
  /** Base-|ops| index over the edges (edge 0 most significant): a bijection onto 0..size-1. RangeError when size is over 2^53. */
  indexOf(arch: CellArch): number;
  fromIndex(index: number): CellArch;
}

/** `|op~0|+|op~0|op~1|+...` for `nodes` cell-nodes: the template of the string form, for messages. */
function cellTemplate(nodes: number): string {
  const groups: string[] = [];
  for (let to = 1; to < nodes; to++) groups.push(`|${Array.from({ length: to }, (_, from) => `op~${from}`).join('|')}|`);
  return groups.join('+');
}

/** The parse pattern: one capture per edge, in edge order. */
function cellPattern(nodes: number): RegExp {
  const groups: string[] = [];
  for (let to = 1; to < nodes; to++) groups.push(`\\|${Array.from({ length: to }, (_, from) => `([^|~]+)~${from}`).join('\\|')}\\|`);
  return new RegExp(`^${groups.join('\\+')}$`);
}

/**
 * A cell search space of the NAS-Bench-201 kind: cell-nodes 0..nodes-1 (default 4), an op on
 * each edge i<j, node j sums its incoming edges. The GNN sees the op-on-node DAG: input, one
 * node per edge, output (as arch2vec and NPENAS encode NAS-Bench-201).
 */
export function createCellSpace(def: CellSpaceDefinition): CellSpace {
  const nodes = def.nodes ?? DEFAULT_CELL_NODES;
  if (!Number.isInteger(nodes) || nodes < 2 || nodes > CELL_MAX_NODES) throw new RangeError(`${def.label}: a cell has 2..${CELL_MAX_NODES} nodes, got ${nodes}`);
  const opCount = def.ops.length;
  if (opCount < 2) throw new RangeError(`${def.label}: a cell space needs at least 2 ops, got ${opCount}`);
  if (def.symbols.length !== opCount) throw new RangeError(`${def.label}: ${def.symbols.length} symbols for ${opCount} ops`);
  const edges = nodes === DEFAULT_CELL_NODES ? CELL_EDGES : cellEdges(nodes);
  const edgeCount = edges.length;
  const last = nodes - 1;
  const size = opCount ** edgeCount;
  const indexable = Number.isSafeInteger(size);
  const nodeOps = ['input', ...def.ops, 'output'];
  const maxNodes = edgeCount + 2;
  const semantics: CellSemantics = { ...def.semantics, symbols: def.symbols };
  const pattern = cellPattern(nodes);
  const template = cellTemplate(nodes);
  /** The edge input -> cell output: changing its op always changes the function. */
  const directEdge = edges.findIndex(([from, to]) => from === 0 && to === last);

  const format = (arch: CellArch): string => {
    let text = '';
    for (let e = 0; e < edgeCount; e++) {
      const [from, to] = edges[e];
      if (from === 0 && to > 1) text += '+';
      text += `|${def.ops[arch[e]]}~${from}`;
      if (from === to - 1) text += '|';
    }
    return text;
  };

  const parse = (text: string): CellArch => {
    checkArchTextSize(text, def.label);
    const m = pattern.exec(text.trim());
    if (!m) throw new UserError(`malformed ${def.label} cell ${quoteInput(text)}: expected ${template} with op in ${def.ops.join(', ')}`);
    return m.slice(1).map((name) => {
      const idx = def.ops.indexOf(name);
      if (idx < 0) throw new UserError(`unknown ${def.label} op ${quoteInput(name, 40)} in ${quoteInput(text)}: use one of ${def.ops.join(', ')}`);
      return idx;
    });
  };

  const invalidReason = (arch: CellArch): string | null => {
    if (!Array.isArray(arch) || arch.length !== edgeCount) return `a ${def.label} cell has ${edgeCount} edges`;
    for (const op of arch) if (!Number.isInteger(op) || op < 0 || op >= opCount) return `edge op index ${op} is not in 0..${opCount - 1}`;
    return null;
  };

  const notIndexable = () => new RangeError(`${def.label} has ${size} cells, too many to index with a number`);

  const indexOf = (arch: CellArch): number => {
    if (!indexable) throw notIndexable();
    return arch.reduce((idx, op) => idx * opCount + op, 0);
  };

  const fromIndex = (index: number): CellArch => {
    if (!indexable) throw notIndexable();
    if (!Number.isInteger(index) || index < 0 || index >= size) throw new RangeError(`${def.label} cell index out of range: ${index}`);
    const arch = new Array<number>(edgeCount);
    for (let e = edgeCount - 1; e >= 0; e--) {
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
    for (let e = 0; e < edgeCount; e++) {
      const node = e + 1;
      ops[node] = arch[e] + 1;
      const [from, to] = edges[e];
      if (from === 0) adjacency[node] = 1;
      if (to === last) adjacency[node * n + output] = 1;
      // edge e feeds every edge leaving its target cell-node
      for (let f = 0; f < edgeCount; f++) if (edges[f][0] === to) adjacency[node * n + (f + 1)] = 1;
    }
    return { nodeCount: n, adjacency, ops };
  };

  const key = (arch: CellArch): string => cellCanonicalForm(arch, semantics, nodes);

  /** One edge gets another op (the built-in spaces' mutation, unchanged). */
  const mutateEdge = (arch: CellArch, rng: Rng): CellArch => {
    const child = arch.slice();
    const edge = rng.below(edgeCount);
    child[edge] = (arch[edge] + 1 + rng.below(opCount - 1)) % opCount;
    return child;
  };

  const mutateDistinct = (arch: CellArch, rng: Rng): CellArch => {
    const before = key(arch);
    for (let t = 0; t < DISTINCT_MUTATION_TRIES; t++) {
      const child = mutateEdge(arch, rng);
      if (key(child) !== before) return child;
    }
    // Another op on the input -> output edge changes the multiset of terms the output sums.
    const child = arch.slice();
    child[directEdge] = (arch[directEdge] + 1 + rng.below(opCount - 1)) % opCount;
    return child;
  };

  return {
    name: def.name,
    ops: def.ops,
    nodes,
    edges,
    maxNodes,
    nodeOps,
    size,
    sample: (rng) => Array.from({ length: edgeCount }, () => rng.below(opCount)),
    mutate: def.distinctMutation ? mutateDistinct : mutateEdge,
    crossover: (a, b, rng) => a.map((op, e) => (rng.below(2) === 0 ? op : b[e])),
    isValid: (arch) => invalidReason(arch) === null,
    invalidReason,
    key,
    toGraph,
    format,
    parse,
    indexOf,
    fromIndex,
    /** `{cellEdges: [{from, to, op}]}`: the op name on each edge, in edge order (trial protocol). */
    describe: (arch) => ({ cellEdges: edges.map(([from, to], e) => ({ from, to, op: def.ops[arch[e]] })) }),
    /** Every cell in index order (edge 0 most significant), for any size (lazily). */
    *enumerate() {
      const arch = new Array<number>(edgeCount).fill(0);
      for (;;) {
        yield arch.slice();
        let e = edgeCount - 1;
        while (e >= 0 && arch[e] === opCount - 1) arch[e--] = 0;
        if (e < 0) return;
        arch[e]++;
      }
    },
  };
}
