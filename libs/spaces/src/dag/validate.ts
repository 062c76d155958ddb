import { DAG_INPUT, DAG_OUTPUT, edgeCount, type DagArch } from './cell';
import { pruneCell, type PrunedCell } from './prune';

/** What a cell is checked against: the space's inner ops and its limits on the pruned cell. */
export interface DagRules {
  /** Human name used in error messages, e.g. "NB101". */
  readonly label: string;
  /** Ops allowed on inner vertices; a vertex's hash label is the index of its op here. */
  readonly ops: readonly string[];
  readonly maxNodes: number;
  readonly maxEdges: number;
}

/** Longest rendering of one offending value in a reason (values of up to this many characters are shown whole). */
const SHOWN_MAX_CHARS = 120;
/** Longest rendering of the allowed op list in a reason. */
const ALLOWED_MAX_CHARS = 300;

const cut = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max - 3)}...` : text);

/** `value` as JSON for a message, cut to SHOWN_MAX_CHARS. */
function shown(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    text = String(typeof value);
  }
  return cut(text ?? String(value), SHOWN_MAX_CHARS);
}

/** What is wrong with the matrix/ops themselves (before any pruning), or null. */
export function shapeProblem(arch: DagArch, rules: DagRules): string | null {
  const { matrix, ops } = (arch ?? {}) as Partial<DagArch>;
  if (!Array.isArray(matrix)) return 'matrix is missing or not an array of rows';
  if (!Array.isArray(ops)) return 'ops is missing or not an array of op labels';
  const n = matrix.length;
  if (n < 2) return `matrix has ${n} vertices; a cell needs at least an input and an output`;
  for (let i = 0; i < n; i++) {
    const row: unknown = matrix[i];
    if (!Array.isArray(row) || row.length !== n) {
      return `matrix is not square: row ${i} has ${Array.isArray(row) ? row.length : 'no'} entries, expected ${n}`;
    }
    for (let j = 0; j < n; j++) {
      if (row[j] !== 0 && row[j] !== 1) return `matrix entry [${i}][${j}] is ${shown(row[j])}; entries must be 0 or 1`;
      if (j <= i && row[j] === 1) {
        return `matrix is not upper-triangular: entry [${i}][${j}] is 1 (an edge must go from a vertex to a later one)`;
      }
    }
  }
  if (ops.length !== n) return `ops has ${ops.length} labels but the matrix has ${n} vertices`;
  if (ops[0] !== DAG_INPUT) return `first op must be '${DAG_INPUT}', got ${shown(ops[0])}`;
  if (ops[n - 1] !== DAG_OUTPUT) return `last op must be '${DAG_OUTPUT}', got ${shown(ops[n - 1])}`;
  for (let v = 1; v < n - 1; v++) {
    const op: unknown = ops[v];
    if (typeof op !== 'string' || !rules.ops.includes(op)) {
      return `unknown op ${shown(op)} at vertex ${v} (allowed: ${cut(rules.ops.join(', '), ALLOWED_MAX_CHARS)})`;
    }
  }
  return null;
}

export type DagCheck = { reason: string; pruned?: undefined } | { reason: null; pruned: PrunedCell };

/**
 * NB101's validity rules, for any op list and limits: a well-formed upper-triangular cell whose
 * input reaches its output, with at most maxNodes vertices and maxEdges edges after pruning
 * (as NB101 counts them).
 */
export function checkCell(arch: DagArch, rules: DagRules): DagCheck {
  const shape = shapeProblem(arch, rules);
  if (shape) return { reason: shape };
  const pruned = pruneCell(arch);
  if (!pruned) return { reason: 'input is not connected to output (no path from vertex 0 to the last vertex)' };
  const vertices = pruned.ops.length;
  if (vertices > rules.maxNodes) return { reason: `too many vertices after pruning: ${vertices} (max ${rules.maxNodes})` };
  const edges = edgeCount(pruned.matrix);
  if (edges > rules.maxEdges) return { reason: `too many edges after pruning: ${edges} (max ${rules.maxEdges})` };
  return { reason: null, pruned };
}
