import { NB101_INNER_OPS, NB101_MAX_NODES, type Nb101Arch } from '@dcl-enas/spaces';
import { encodeModelMetrics, type ModelMetrics } from './model-metrics';
import type { PackedCell } from './cell-code';
import { packCell } from './cell-code';

/** The epoch budget whose results the tables hold. */
export const NB101_EPOCHS = 108;

/** One record of the official release, decoded. */
export interface Nb101RawRecord {
  hash: string;
  epochs: number;
  /** '0'/'1' string of length dim*dim, row-major. */
  adjacency: string;
  /** Comma-joined op labels. */
  operations: string;
  /** base64 of a serialized nasbench.ModelMetrics. */
  metrics: string;
}

/** Parses the record's JSON array; returns a message naming what is off, or the record. */
export function parseNb101Record(text: string): Nb101RawRecord | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'record is not JSON';
  }
  if (!Array.isArray(value) || value.length !== 5) return 'record is not the 5-element NB101 array [hash, epochs, adjacency, operations, metrics]';
  const [hash, epochs, adjacency, operations, metrics] = value as unknown[];
  if (typeof hash !== 'string' || !/^[0-9a-f]{32}$/.test(hash)) return `record hash ${JSON.stringify(hash)} is not 32 hex digits`;
  if (typeof epochs !== 'number') return 'record epochs is not a number';
  if (typeof adjacency !== 'string' || typeof operations !== 'string' || typeof metrics !== 'string') {
    return 'record adjacency, operations and metrics must be strings';
  }
  return { hash, epochs, adjacency, operations, metrics };
}

/** The stored (already pruned) cell of a record, packed; or a message naming what is off. */
export function packRecordCell(adjacency: string, operations: string): PackedCell | string {
  const dim = Math.round(Math.sqrt(adjacency.length));
  if (dim * dim !== adjacency.length || dim < 2 || dim > NB101_MAX_NODES || !/^[01]*$/.test(adjacency)) {
    return `record adjacency ${JSON.stringify(adjacency)} is not a square 0/1 matrix of at most ${NB101_MAX_NODES} vertices`;
  }
  const ops = operations.split(',');
  if (ops.length !== dim) return `record has ${ops.length} operations for ${dim} vertices`;
  const inner = ops.slice(1, -1);
  if (ops[0] !== 'input' || ops[dim - 1] !== 'output' || !inner.every((op) => (NB101_INNER_OPS as readonly string[]).includes(op))) {
    return `record operations ${JSON.stringify(operations)} are not input, NB101 ops, output`;
  }
  const matrix = Array.from({ length: dim }, (_, i) => Array.from({ length: dim }, (_, j) => (adjacency[i * dim + j] === '1' ? 1 : 0)));
  return packCell({ matrix, ops });
}

/**
 * Serializes one record as the release stores it: the JSON array (Python json.dumps spacing)
 * of hash, epochs, row-major adjacency string, comma-joined ops and base64 ModelMetrics.
 */
export function encodeNb101Record(hash: string, epochs: number, cell: Nb101Arch, metrics: ModelMetrics): Buffer {
  const adjacency = cell.matrix.map((row) => row.join('')).join('');
  const fields = [hash, epochs, adjacency, cell.ops.join(','), Buffer.from(encodeModelMetrics(metrics)).toString('base64')];
  return Buffer.from(`[${fields.map((f) => JSON.stringify(f)).join(', ')}]`, 'utf8');
}
