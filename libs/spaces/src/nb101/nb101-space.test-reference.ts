/**
 * TEST REFERENCE ONLY: a verbatim copy of the NB101 cell space (nb101/ops, cell, prune, hash,
 * validate, format, operators and space) as it was before nb101Space became an instance of
 * createDagSpace (libs/spaces/src/dag). nb101-dag-compat.test.ts checks that the current
 * nb101Space gives byte-identical results to this copy: keys, graphs, text, reasons and errors,
 * and the exact sequence of Rng draws of sample / mutate / crossover. Do not use it elsewhere,
 * and do not "fix" it: it is the specification of the old behaviour.
 */
import { createHash } from 'node:crypto';
import { UserError, type Rng } from '@dcl-enas/common';
import type { ArchGraph, SearchSpace } from '../space';
import { checkArchTextSize, quoteInput } from '../space';

// ---- frozen copy of nb101/ops.ts
/** NAS-Bench-101 vocabulary and limits (google-research/nasbench, nasbench/lib/config.py). */
const NB101_INPUT = 'input';
const NB101_OUTPUT = 'output';

/**
 * The operations allowed on inner vertices, in NB101's own `available_ops` order. The graph hash
 * labels an inner vertex by its index in this list, so the order is part of the hash.
 */
const NB101_INNER_OPS = ['conv3x3-bn-relu', 'conv1x1-bn-relu', 'maxpool3x3'] as const;
type Nb101InnerOp = (typeof NB101_INNER_OPS)[number];

/** One-hot vocabulary for `toGraph`. */
const NB101_NODE_OPS = [NB101_INPUT, 'conv1x1-bn-relu', 'conv3x3-bn-relu', 'maxpool3x3', NB101_OUTPUT] as const;

const NB101_MAX_NODES = 7;
const NB101_MAX_EDGES = 9;

/** Hash labels NB101 gives the input and output vertices. */
const NB101_INPUT_LABEL = -1;
const NB101_OUTPUT_LABEL = -2;

function isInnerOp(op: unknown): op is Nb101InnerOp {
  return typeof op === 'string' && (NB101_INNER_OPS as readonly string[]).includes(op);
}

// ---- frozen copy of nb101/cell.ts

/**
 * A NAS-Bench-101 cell: an upper-triangular 0/1 adjacency matrix (row = source vertex) and one
 * op label per vertex, `input` first and `output` last. It may hold vertices that NB101 prunes.
 */
interface Nb101Arch {
  matrix: number[][];
  ops: string[];
}

function cloneCell(arch: Nb101Arch): Nb101Arch {
  return { matrix: arch.matrix.map((row) => row.slice()), ops: arch.ops.slice() };
}

function edgeCount(matrix: readonly (readonly number[])[]): number {
  let edges = 0;
  for (const row of matrix) for (const value of row) edges += value;
  return edges;
}

/**
 * The same cell on exactly 7 vertices: isolated vertices (which NB101 prunes, so the hash is
 * unchanged) are inserted just before the output. Gives mutation and crossover room to grow the
 * cell. The cell must have at most 7 vertices.
 */
function padToMaxNodes(arch: Nb101Arch): Nb101Arch {
  const n = arch.ops.length;
  if (n > NB101_MAX_NODES) throw new RangeError(`padToMaxNodes needs at most ${NB101_MAX_NODES} vertices, got ${n}`);
  const at = (i: number): number => (i === n - 1 ? NB101_MAX_NODES - 1 : i);
  const matrix = Array.from({ length: NB101_MAX_NODES }, () => new Array<number>(NB101_MAX_NODES).fill(0));
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (arch.matrix[i][j]) matrix[at(i)][at(j)] = 1;
  const ops = new Array<string>(NB101_MAX_NODES).fill(NB101_INNER_OPS[0]);
  for (let i = 0; i < n; i++) ops[at(i)] = arch.ops[i];
  return { matrix, ops };
}

// ---- frozen copy of nb101/prune.ts

/** A cell after NB101's pruning, with the original index of every vertex kept. */
interface PrunedCell extends Nb101Arch {
  readonly kept: readonly number[];
}

/**
 * NB101's ModelSpec pruning: keep only the vertices that lie on some input -> output path.
 * Returns null when the input does not reach the output. Expects a square, upper-triangular
 * matrix with one op per vertex.
 */
function pruneCell(arch: Nb101Arch): PrunedCell | null {
  const { matrix, ops } = arch;
  const n = ops.length;
  const fromInput = reach(n, 0, (v, w) => w > v && matrix[v][w] === 1);
  const toOutput = reach(n, n - 1, (v, w) => w < v && matrix[w][v] === 1);
  const kept: number[] = [];
  for (let v = 0; v < n; v++) if (fromInput[v] && toOutput[v]) kept.push(v);
  if (kept.length < 2) return null;
  return {
    matrix: kept.map((i) => kept.map((j) => (matrix[i][j] ? 1 : 0))),
    ops: kept.map((i) => ops[i]),
    kept,
  };
}

function reach(n: number, start: number, linked: (from: number, to: number) => boolean): boolean[] {
  const seen = new Array<boolean>(n).fill(false);
  seen[start] = true;
  const stack = [start];
  while (stack.length > 0) {
    const v = stack.pop() as number;
    for (let w = 0; w < n; w++) {
      if (!seen[w] && linked(v, w)) {
        seen[w] = true;
        stack.push(w);
      }
    }
  }
  return seen;
}

// ---- frozen copy of nb101/hash.ts

const md5 = (text: string): string => createHash('md5').update(text, 'utf8').digest('hex');

/**
 * NB101's graph hash (nasbench/lib/graph_util.py hash_module) of an already pruned cell: the
 * exact hex string the benchmark uses as its table key. The strings fed to md5 reproduce
 * Python's str() of the tuples and lists the reference hashes.
 */
function nb101Hash(pruned: Nb101Arch): string {
  const { matrix, ops } = pruned;
  const n = ops.length;
  const labels = ops.map((op, v) => {
    if (v === 0) return NB101_INPUT_LABEL;
    if (v === n - 1) return NB101_OUTPUT_LABEL;
    return (NB101_INNER_OPS as readonly string[]).indexOf(op);
  });
  let hashes = labels.map((label, v) => {
    let inDegree = 0;
    let outDegree = 0;
    for (let w = 0; w < n; w++) {
      inDegree += matrix[w][v];
      outDegree += matrix[v][w];
    }
    return md5(`(${outDegree}, ${inDegree}, ${label})`);
  });
  for (let round = 0; round < n; round++) {
    const previous = hashes;
    hashes = previous.map((own, v) => {
      const inbound: string[] = [];
      const outbound: string[] = [];
      for (let w = 0; w < n; w++) {
        if (matrix[w][v]) inbound.push(previous[w]);
        if (matrix[v][w]) outbound.push(previous[w]);
      }
      return md5(`${inbound.sort().join('')}|${outbound.sort().join('')}|${own}`);
    });
  }
  return md5(`[${hashes.sort().map((h) => `'${h}'`).join(', ')}]`);
}

// ---- frozen copy of nb101/validate.ts

/** What is wrong with the matrix/ops themselves (before any pruning), or null. */
function shapeProblem(arch: Nb101Arch): string | null {
  const { matrix, ops } = (arch ?? {}) as Partial<Nb101Arch>;
  if (!Array.isArray(matrix)) return 'matrix is missing or not an array of rows';
  if (!Array.isArray(ops)) return 'ops is missing or not an array of op labels';
  const n = matrix.length;
  if (n < 2) return `matrix has ${n} vertices; a cell needs at least an input and an output`;
  for (let i = 0; i < n; i++) {
    const row = matrix[i];
    if (!Array.isArray(row) || row.length !== n) {
      return `matrix is not square: row ${i} has ${Array.isArray(row) ? row.length : 'no'} entries, expected ${n}`;
    }
    for (let j = 0; j < n; j++) {
      if (row[j] !== 0 && row[j] !== 1) return `matrix entry [${i}][${j}] is ${JSON.stringify(row[j])}; entries must be 0 or 1`;
      if (j <= i && row[j] === 1) {
        return `matrix is not upper-triangular: entry [${i}][${j}] is 1 (an edge must go from a vertex to a later one)`;
      }
    }
  }
  if (ops.length !== n) return `ops has ${ops.length} labels but the matrix has ${n} vertices`;
  if (ops[0] !== NB101_INPUT) return `first op must be '${NB101_INPUT}', got ${JSON.stringify(ops[0])}`;
  if (ops[n - 1] !== NB101_OUTPUT) return `last op must be '${NB101_OUTPUT}', got ${JSON.stringify(ops[n - 1])}`;
  for (let v = 1; v < n - 1; v++) {
    if (!isInnerOp(ops[v])) return `unknown op ${JSON.stringify(ops[v])} at vertex ${v} (allowed: ${NB101_INNER_OPS.join(', ')})`;
  }
  return null;
}

type Nb101Check = { reason: string; pruned?: undefined } | { reason: null; pruned: PrunedCell };

/** NB101's validity rules: vertex and edge limits apply to the pruned cell, as NB101 counts them. */
function checkCell(arch: Nb101Arch): Nb101Check {
  const shape = shapeProblem(arch);
  if (shape) return { reason: shape };
  const pruned = pruneCell(arch);
  if (!pruned) return { reason: 'input is not connected to output (no path from vertex 0 to the last vertex)' };
  const vertices = pruned.ops.length;
  if (vertices > NB101_MAX_NODES) return { reason: `too many vertices after pruning: ${vertices} (max ${NB101_MAX_NODES})` };
  const edges = edgeCount(pruned.matrix);
  if (edges > NB101_MAX_EDGES) return { reason: `too many edges after pruning: ${edges} (max ${NB101_MAX_EDGES})` };
  return { reason: null, pruned };
}

// ---- frozen copy of nb101/format.ts

const EXAMPLE = '{"matrix":[[0,1,1],[0,0,1],[0,0,0]],"ops":["input","conv3x3-bn-relu","output"]}';

/** Compact JSON: `{"matrix":[[0,1,...],...],"ops":["input",...,"output"]}`. */
function formatCell(arch: Nb101Arch): string {
  return JSON.stringify({ matrix: arch.matrix, ops: arch.ops });
}

/** Inverse of `formatCell`; a malformed or invalid cell is a UserError naming the problem. */
function parseCell(text: string): Nb101Arch {
  checkArchTextSize(text, 'NB101');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // V8's message quotes the input raw (newlines included): name the problem without it.
    throw new UserError(`malformed NB101 cell ${quoteInput(text)}: not JSON; expected e.g. ${EXAMPLE}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UserError(`malformed NB101 cell ${quoteInput(text)}: expected an object with "matrix" and "ops", e.g. ${EXAMPLE}`);
  }
  const { matrix, ops } = value as Record<string, unknown>;
  const arch = { matrix, ops } as Nb101Arch;
  const check = checkCell(arch);
  if (check.reason !== null) throw new UserError(`invalid NB101 cell ${quoteInput(text)}: ${check.reason}`);
  return { matrix: arch.matrix.map((row) => row.slice()), ops: arch.ops.slice() };
}

// ---- frozen copy of nb101/operators.ts

/** Rejection loops end long before this; hitting it means a bug, not bad luck. */
const MAX_ATTEMPTS = 100_000;

function keyIfValid(arch: Nb101Arch): string | null {
  const check = checkCell(arch);
  return check.reason === null ? nb101Hash(check.pruned) : null;
}

/** A 7-vertex genotype: small cells are padded with prunable vertices, oversized ones pruned first. */
function genotype(arch: Nb101Arch): Nb101Arch {
  if (arch.ops.length <= NB101_MAX_NODES) return padToMaxNodes(arch);
  const check = checkCell(arch);
  if (check.reason !== null) throw new RangeError(`cannot use an invalid NB101 cell as a parent: ${check.reason}`);
  return padToMaxNodes(check.pruned);
}

/** NB101's random_spec: random upper-triangular matrix and ops on 7 vertices, rejected until valid. */
function sampleCell(rng: Rng): Nb101Arch {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const matrix = Array.from({ length: NB101_MAX_NODES }, (_, i) =>
      Array.from({ length: NB101_MAX_NODES }, (_, j) => (j > i ? rng.below(2) : 0)),
    );
    const ops = Array.from({ length: NB101_MAX_NODES }, () => rng.pick(NB101_INNER_OPS) as string);
    ops[0] = NB101_INPUT;
    ops[NB101_MAX_NODES - 1] = NB101_OUTPUT;
    const cell = { matrix, ops };
    if (checkCell(cell).reason === null) return cell;
  }
  throw new Error('NB101 sampling found no valid cell');
}

/**
 * The regularized-evolution reference mutation (NB101 notebook, mutation rate 1): each edge flips
 * with probability 1/7 and each inner op is resampled with probability 1/5, repeated until the
 * child is valid and hashes differently from the parent.
 */
function mutateCell(arch: Nb101Arch, rng: Rng): Nb101Arch {
  const parentKey = keyIfValid(arch);
  const base = genotype(arch);
  const n = NB101_MAX_NODES;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const child = cloneCell(base);
    for (let src = 0; src < n - 1; src++) {
      for (let dst = src + 1; dst < n; dst++) if (rng.float() < 1 / n) child.matrix[src][dst] = 1 - child.matrix[src][dst];
    }
    for (let v = 1; v < n - 1; v++) {
      if (rng.float() < 1 / (n - 2)) child.ops[v] = rng.pick(NB101_INNER_OPS.filter((op) => op !== child.ops[v]));
    }
    const childKey = keyIfValid(child);
    if (childKey !== null && childKey !== parentKey) return child;
  }
  throw new Error('NB101 mutation found no valid, different child');
}

/**
 * Uniform crossover on the 7-vertex genotypes: every edge slot and inner op comes from one parent
 * at random; retried until the child is valid. Parents so far apart that no valid child turns up
 * give a copy of the first parent.
 */
function crossoverCells(a: Nb101Arch, b: Nb101Arch, rng: Rng, attempts = 200): Nb101Arch {
  const pa = genotype(a);
  const pb = genotype(b);
  const n = NB101_MAX_NODES;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const child = cloneCell(pa);
    for (let src = 0; src < n - 1; src++) {
      for (let dst = src + 1; dst < n; dst++) if (rng.float() < 0.5) child.matrix[src][dst] = pb.matrix[src][dst];
    }
    for (let v = 1; v < n - 1; v++) if (rng.float() < 0.5) child.ops[v] = pb.ops[v];
    if (checkCell(child).reason === null) return child;
  }
  if (checkCell(pa).reason === null) return pa;
  if (checkCell(pb).reason === null) return pb;
  throw new RangeError('cannot cross over two invalid NB101 cells');
}

// ---- frozen copy of nb101/space.ts

function prunedOrThrow(arch: Nb101Arch): PrunedCell {
  const check = checkCell(arch);
  if (check.reason !== null) throw new UserError(`invalid NB101 cell: ${check.reason}`);
  return check.pruned;
}

/** The NAS-Bench-101 cell space; `key` is the benchmark's own module hash. No `enumerate` (423,624 cells). */
export const referenceNb101Space: SearchSpace<Nb101Arch> = {
  name: 'nb101',
  maxNodes: NB101_MAX_NODES,
  nodeOps: NB101_NODE_OPS,
  /** Unique cells (module hashes) in NAS-Bench-101. */
  size: 423_624,

  sample: (rng: Rng) => sampleCell(rng),
  mutate: (arch: Nb101Arch, rng: Rng) => mutateCell(arch, rng),
  crossover: (a: Nb101Arch, b: Nb101Arch, rng: Rng) => crossoverCells(a, b, rng),
  isValid: (arch: Nb101Arch) => checkCell(arch).reason === null,
  invalidReason: (arch: Nb101Arch) => checkCell(arch).reason,
  key: (arch: Nb101Arch) => nb101Hash(prunedOrThrow(arch)),

  toGraph(arch: Nb101Arch): ArchGraph {
    const pruned = prunedOrThrow(arch);
    const n = pruned.ops.length;
    const adjacency = new Uint8Array(NB101_MAX_NODES * NB101_MAX_NODES);
    const ops = new Int8Array(NB101_MAX_NODES).fill(-1);
    for (let i = 0; i < n; i++) {
      ops[i] = (NB101_NODE_OPS as readonly string[]).indexOf(pruned.ops[i]);
      for (let j = 0; j < n; j++) adjacency[i * NB101_MAX_NODES + j] = pruned.matrix[i][j];
    }
    return { nodeCount: n, adjacency, ops };
  },

  format: formatCell,
  parse: parseCell,
};

