import { UserError, type Rng } from '@dcl-enas/common';
import type { ArchGraph, SearchSpace } from '../space';
import { nb201CanonicalForm } from './nb201-canonical';

/** Edge operations, in NAS-Bench-201's own order. */
export const NB201_OPS = ['none', 'skip_connect', 'nor_conv_1x1', 'nor_conv_3x3', 'avg_pool_3x3'] as const;
export type Nb201Op = (typeof NB201_OPS)[number];

/** The cell's 6 edges (from -> to) in the order of the string form `|a~0|+|b~0|c~1|+|d~0|e~1|f~2|`. */
export const NB201_EDGES: readonly (readonly [number, number])[] = [
  [0, 1],
  [0, 2],
  [1, 2],
  [0, 3],
  [1, 3],
  [2, 3],
];

/** A cell: the op index (into NB201_OPS) on each of the 6 edges, in NB201_EDGES order. */
export type Nb201Arch = readonly number[];

const EDGE_COUNT = 6;
const OP_COUNT = NB201_OPS.length;
export const NB201_SIZE = OP_COUNT ** EDGE_COUNT;

/** Node labels of the op-on-node DAG (input, one node per edge, output). */
const NODE_OPS = ['input', ...NB201_OPS, 'output'] as const;
const MAX_NODES = EDGE_COUNT + 2;

export function nb201Format(arch: Nb201Arch): string {
  const op = (e: number) => `${NB201_OPS[arch[e]]}~${NB201_EDGES[e][0]}`;
  return `|${op(0)}|+|${op(1)}|${op(2)}|+|${op(3)}|${op(4)}|${op(5)}|`;
}

const ARCH_PATTERN = /^\|([^|~]+)~0\|\+\|([^|~]+)~0\|([^|~]+)~1\|\+\|([^|~]+)~0\|([^|~]+)~1\|([^|~]+)~2\|$/;

export function nb201Parse(text: string): Nb201Arch {
  const m = ARCH_PATTERN.exec(text.trim());
  if (!m) {
    throw new UserError(
      `malformed NAS-Bench-201 cell "${text}": expected |op~0|+|op~0|op~1|+|op~0|op~1|op~2| with op in ${NB201_OPS.join(', ')}`,
    );
  }
  return m.slice(1).map((name) => {
    const idx = (NB201_OPS as readonly string[]).indexOf(name);
    if (idx < 0) throw new UserError(`unknown NAS-Bench-201 op "${name}" in "${text}": use one of ${NB201_OPS.join(', ')}`);
    return idx;
  });
}

/** Base-5 index over the edges (edge 0 most significant): a bijection onto 0..15624. */
export function nb201Index(arch: Nb201Arch): number {
  let idx = 0;
  for (let e = 0; e < EDGE_COUNT; e++) idx = idx * OP_COUNT + arch[e];
  return idx;
}

export function nb201FromIndex(index: number): Nb201Arch {
  if (!Number.isInteger(index) || index < 0 || index >= NB201_SIZE) throw new RangeError(`NB201 index out of range: ${index}`);
  const arch = new Array<number>(EDGE_COUNT);
  for (let e = EDGE_COUNT - 1; e >= 0; e--) {
    arch[e] = index % OP_COUNT;
    index = Math.floor(index / OP_COUNT);
  }
  return arch;
}

function invalidReason(arch: Nb201Arch): string | null {
  if (!Array.isArray(arch) || arch.length !== EDGE_COUNT) return `a NAS-Bench-201 cell has ${EDGE_COUNT} edges`;
  for (const op of arch) if (!Number.isInteger(op) || op < 0 || op >= OP_COUNT) return `edge op index ${op} is not in 0..${OP_COUNT - 1}`;
  return null;
}

function toGraph(arch: Nb201Arch): ArchGraph {
  const n = MAX_NODES;
  const adjacency = new Uint8Array(n * n);
  const ops = new Int8Array(n);
  const output = n - 1;
  ops[0] = 0;
  ops[output] = NODE_OPS.length - 1;
  for (let e = 0; e < EDGE_COUNT; e++) {
    const node = e + 1;
    ops[node] = arch[e] + 1;
    const [from, to] = NB201_EDGES[e];
    if (from === 0) adjacency[0 * n + node] = 1;
    if (to === 3) adjacency[node * n + output] = 1;
    // edge e feeds every edge leaving its target cell-node
    for (let f = 0; f < EDGE_COUNT; f++) if (NB201_EDGES[f][0] === to) adjacency[node * n + (f + 1)] = 1;
  }
  return { nodeCount: n, adjacency, ops };
}

function mutate(arch: Nb201Arch, rng: Rng): Nb201Arch {
  const child = arch.slice();
  const edge = rng.below(EDGE_COUNT);
  child[edge] = (arch[edge] + 1 + rng.below(OP_COUNT - 1)) % OP_COUNT;
  return child;
}

function crossover(a: Nb201Arch, b: Nb201Arch, rng: Rng): Nb201Arch {
  return a.map((op, e) => (rng.below(2) === 0 ? op : b[e]));
}

function* enumerate(): Iterable<Nb201Arch> {
  for (let i = 0; i < NB201_SIZE; i++) yield nb201FromIndex(i);
}

export const nb201Space: SearchSpace<Nb201Arch> = {
  name: 'nb201',
  maxNodes: MAX_NODES,
  nodeOps: NODE_OPS,
  size: NB201_SIZE,
  sample: (rng) => Array.from({ length: EDGE_COUNT }, () => rng.below(OP_COUNT)),
  mutate,
  crossover,
  isValid: (arch) => invalidReason(arch) === null,
  invalidReason,
  key: nb201CanonicalForm,
  toGraph,
  format: nb201Format,
  parse: nb201Parse,
  enumerate,
};
