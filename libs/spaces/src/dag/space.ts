import { UserError, type Rng } from '@dcl-enas/common';
import { ARCH_TEXT_MAX_CHARS, type ArchGraph, type SearchSpace } from '../space';
import { DAG_INPUT, DAG_OUTPUT, cloneCell, type DagArch } from './cell';
import { enumerateCells, isEnumerable } from './enumerate';
import { exampleCell, formatCell, parseCell } from './format';
import { dagHash } from './hash';
import { crossoverCells, mutateCell, sampleCell } from './operators';
import type { PrunedCell } from './prune';
import { checkCell, type DagRules } from './validate';

/** A declared `dag` space: NB101's cell space for any inner-op list and limits. */
export interface DagSpaceDefinition {
  readonly name: string;
  /** Human name used in error messages, e.g. "NB101". */
  readonly label: string;
  /** Ops of the inner vertices (1..DAG_MAX_OPS unique names, not input/output); a vertex's key label is its op's index here. */
  readonly ops: readonly string[];
  /** Most vertices of a pruned cell, input and output included (DAG_MIN_NODES..DAG_MAX_NODES). */
  readonly maxNodes: number;
  /** Most edges of a pruned cell (1..maxNodes(maxNodes-1)/2). */
  readonly maxEdges: number;
}

/** For built-in spaces that are instances of the dag type (NB101). */
export interface DagSpaceOptions {
  /** The `nodeOps` vocabulary `toGraph` indexes into, in another order: a permutation of ['input', ...ops, 'output'] (the default). Used as given. */
  readonly nodeOps?: readonly string[];
  /** The known number of distinct keys of a space too large to enumerate (NB101: 423,624). Refused for an enumerable space. */
  readonly size?: number;
}

export const DAG_MIN_NODES = 3;
export const DAG_MAX_NODES = 12;
export const DAG_MAX_OPS = 16;
/** Longest op name, label or name createDagSpace accepts. */
export const DAG_NAME_MAX_CHARS = 64;

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

function checkName(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new Error(`createDagSpace: ${what} must be a non-empty string, got ${JSON.stringify(value)}`);
  if (value.length > DAG_NAME_MAX_CHARS) throw new Error(`createDagSpace: ${what} ${JSON.stringify(value.slice(0, 40))}... is longer than ${DAG_NAME_MAX_CHARS} characters`);
  if (CONTROL.test(value)) throw new Error(`createDagSpace: ${what} ${JSON.stringify(value)} contains a control or line-break character`);
  return value;
}

/** The definition's rules, after refusing anything out of range (a plain Error: definitions are checked by their schema first). */
function checkDefinition(def: DagSpaceDefinition): DagRules {
  if (typeof def !== 'object' || def === null) throw new Error('createDagSpace: the definition must be an object');
  checkName(def.name, 'name');
  const label = checkName(def.label, 'label');
  if (!Array.isArray(def.ops) || def.ops.length < 1 || def.ops.length > DAG_MAX_OPS) {
    throw new Error(`createDagSpace: ${label}: ops must be a list of 1..${DAG_MAX_OPS} op names, got ${Array.isArray(def.ops) ? `${def.ops.length} names` : JSON.stringify(def.ops)}`);
  }
  const ops = def.ops.map((op, i) => checkName(op, `op ${i}`));
  for (const op of ops) {
    if (op === DAG_INPUT || op === DAG_OUTPUT) throw new Error(`createDagSpace: ${label}: '${op}' is the name of the ${op} vertex, not an op`);
    if (ops.indexOf(op) !== ops.lastIndexOf(op)) throw new Error(`createDagSpace: ${label}: op ${JSON.stringify(op)} is listed twice`);
  }
  const { maxNodes, maxEdges } = def;
  if (!Number.isInteger(maxNodes) || maxNodes < DAG_MIN_NODES || maxNodes > DAG_MAX_NODES) {
    throw new Error(`createDagSpace: ${label}: maxNodes must be an integer in ${DAG_MIN_NODES}..${DAG_MAX_NODES}, got ${maxNodes}`);
  }
  const slots = (maxNodes * (maxNodes - 1)) / 2;
  if (!Number.isInteger(maxEdges) || maxEdges < 1 || maxEdges > slots) {
    throw new Error(`createDagSpace: ${label}: maxEdges must be an integer in 1..${slots} (maxNodes ${maxNodes}), got ${maxEdges}`);
  }
  const rules: DagRules = { label, ops: Object.freeze(ops), maxNodes, maxEdges };
  // Every cell of the space must format to text that parse accepts.
  const longest = ops.reduce((a, b) => (JSON.stringify(a).length >= JSON.stringify(b).length ? a : b));
  const widest = formatCell({
    matrix: Array.from({ length: maxNodes }, () => new Array<number>(maxNodes).fill(0)),
    ops: [DAG_INPUT, ...new Array<string>(maxNodes - 2).fill(longest), DAG_OUTPUT],
  });
  if (widest.length > ARCH_TEXT_MAX_CHARS) throw new Error(`createDagSpace: ${label}: a ${maxNodes}-vertex cell of op ${JSON.stringify(longest)} formats to ${widest.length} characters, over ${ARCH_TEXT_MAX_CHARS}`);
  return rules;
}

function checkNodeOps(rules: DagRules, nodeOps: readonly string[] | undefined): readonly string[] {
  const all = [DAG_INPUT, ...rules.ops, DAG_OUTPUT];
  if (nodeOps === undefined) return Object.freeze(all);
  const same = Array.isArray(nodeOps) && nodeOps.length === all.length && all.every((op) => nodeOps.includes(op));
  if (!same) throw new Error(`createDagSpace: ${rules.label}: nodeOps ${JSON.stringify(nodeOps)} is not an ordering of ${JSON.stringify(all)}`);
  return nodeOps;
}

/**
 * A `dag` search space: NAS-Bench-101's cell space generalised to any inner-op list and limits.
 * A cell is an upper-triangular 0/1 matrix with an op per vertex (`input` first, `output` last);
 * it is valid when the input reaches the output and, after pruning the vertices off every
 * input -> output path, it has at most maxNodes vertices and maxEdges edges. `key` is NB101's
 * module hash of the pruned cell with inner labels = indices into `ops` (so NB101's own hash when
 * ops are NB101_INNER_OPS in that order); `toGraph` is the pruned cell padded to maxNodes; text is
 * NB101's JSON form. `enumerate` and `size` (distinct keys) exist only for spaces of at most
 * DAG_ENUMERATE_MAX_GRAPHS examined graphs (enumerate.ts); the first access to `size` enumerates the space.
 */
export function createDagSpace(def: DagSpaceDefinition, options: DagSpaceOptions = {}): SearchSpace<DagArch> {
  const rules = checkDefinition(def);
  const nodeOps = checkNodeOps(rules, options.nodeOps);
  const enumerable = isEnumerable(rules);
  if (options.size !== undefined) {
    if (enumerable) throw new Error(`createDagSpace: ${rules.label}: size is given by enumerate for a space this small; do not set it`);
    if (!Number.isSafeInteger(options.size) || options.size < 1) throw new Error(`createDagSpace: ${rules.label}: size must be a positive integer, got ${options.size}`);
  }
  const { label, maxNodes } = rules;
  const example = exampleCell(rules);

  const prunedOrThrow = (arch: DagArch): PrunedCell => {
    const check = checkCell(arch, rules);
    if (check.reason !== null) throw new UserError(`invalid ${label} cell: ${check.reason}`);
    return check.pruned;
  };

  const common: SearchSpace<DagArch> = {
    name: def.name,
    maxNodes,
    nodeOps,
    sample: (rng: Rng) => sampleCell(rng, rules),
    mutate: (arch: DagArch, rng: Rng) => mutateCell(arch, rng, rules),
    crossover: (a: DagArch, b: DagArch, rng: Rng) => crossoverCells(a, b, rng, rules),
    isValid: (arch: DagArch) => checkCell(arch, rules).reason === null,
    invalidReason: (arch: DagArch) => checkCell(arch, rules).reason,
    key: (arch: DagArch) => dagHash(prunedOrThrow(arch), rules.ops),

    toGraph(arch: DagArch): ArchGraph {
      const pruned = prunedOrThrow(arch);
      const n = pruned.ops.length;
      const adjacency = new Uint8Array(maxNodes * maxNodes);
      const ops = new Int8Array(maxNodes).fill(-1);
      for (let i = 0; i < n; i++) {
        ops[i] = nodeOps.indexOf(pruned.ops[i]);
        for (let j = 0; j < n; j++) adjacency[i * maxNodes + j] = pruned.matrix[i][j];
      }
      return { nodeCount: n, adjacency, ops };
    },

    format: formatCell,
    parse: (text: string) => parseCell(text, rules, example),
  };
  if (!enumerable) return options.size === undefined ? common : { ...common, size: options.size };

  let cells: DagArch[] | undefined;
  const all = (): DagArch[] => (cells ??= enumerateCells(rules));
  return {
    ...common,
    /** Distinct keys; computed by enumerating the space on first access. */
    get size(): number {
      return all().length;
    },
    *enumerate(): Iterable<DagArch> {
      for (const cell of all()) yield cloneCell(cell);
    },
  };
}
