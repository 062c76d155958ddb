import { NB101_INNER_OPS, NB101_MAX_NODES, type Nb101Arch } from '@dcl-enas/spaces';
import { encodeModelMetrics, type ModelMetrics } from './model-metrics';
import { upperSlot, type PackedCell } from './cell-code';

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

/** Where the fields of a record sit in its bytes (string fields without their quotes). */
export interface ScannedRecord {
  hash: string;
  epochs: number;
  adjacency: [number, number];
  operations: [number, number];
  metrics: [number, number];
}

const QUOTE = 0x22;
const isSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
const isHex = (c: number): boolean => (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66);

/**
 * Fast path over the release's fixed layout, without building a JS string of the whole record:
 * `["<32 hex>", <epochs>, "<01...>", "<ops>", "<base64>"]`. Returns null for anything else
 * (escapes included); the caller then falls back to parseNb101Record for a precise message.
 */
export function scanNb101Record(data: Buffer): ScannedRecord | null {
  const n = data.length;
  let p = 0;
  const skip = (): void => {
    while (p < n && isSpace(data[p])) p++;
  };
  const byte = (c: number): boolean => {
    skip();
    if (data[p] !== c) return false;
    p++;
    return true;
  };
  const string = (): [number, number] | null => {
    if (!byte(QUOTE)) return null;
    const start = p;
    const end = data.indexOf(QUOTE, start);
    if (end < 0) return null;
    p = end + 1;
    return [start, end];
  };
  if (data.indexOf(0x5c /* backslash: an escape */) >= 0) return null;
  if (!byte(0x5b /* [ */)) return null;
  const hash = string();
  if (!hash || hash[1] - hash[0] !== 32) return null;
  for (let i = hash[0]; i < hash[1]; i++) if (!isHex(data[i])) return null;
  if (!byte(0x2c /* , */)) return null;
  skip();
  let epochs = 0;
  const digits = p;
  while (p < n && data[p] >= 0x30 && data[p] <= 0x39) epochs = epochs * 10 + (data[p++] - 0x30);
  if (p === digits || !byte(0x2c)) return null;
  const adjacency = string();
  if (!adjacency || !byte(0x2c)) return null;
  const operations = string();
  if (!operations || !byte(0x2c)) return null;
  const metrics = string();
  if (!metrics || !byte(0x5d /* ] */)) return null;
  skip();
  if (p !== n) return null;
  return { hash: data.toString('latin1', hash[0], hash[1]), epochs, adjacency, operations, metrics };
}

/** The stored (already pruned) cell of a record, packed; or a message naming what is off. */
export function packRecordCell(adjacency: string, operations: string): PackedCell | string {
  const dim = Math.round(Math.sqrt(adjacency.length));
  if (dim * dim !== adjacency.length || dim < 2 || dim > NB101_MAX_NODES) {
    return `record adjacency ${JSON.stringify(adjacency)} is not a square matrix of 2 to ${NB101_MAX_NODES} vertices`;
  }
  let bits = 0;
  for (let i = 0; i < dim; i++) {
    for (let j = 0; j < dim; j++) {
      const c = adjacency.charCodeAt(i * dim + j);
      if (c === 49 /* '1' */ && j > i) bits |= 1 << upperSlot(i, j);
      else if (c !== 48 /* '0' */) return `record adjacency ${JSON.stringify(adjacency)} is not an upper-triangular 0/1 matrix`;
    }
  }
  const ops = operations.split(',');
  if (ops.length !== dim || ops[0] !== 'input' || ops[dim - 1] !== 'output') {
    return `record operations ${JSON.stringify(operations)} are not input, ${dim - 2} NB101 ops, output`;
  }
  let codes = 0;
  for (let v = 1; v < dim - 1; v++) {
    const code = (NB101_INNER_OPS as readonly string[]).indexOf(ops[v]);
    if (code < 0) return `record operation ${JSON.stringify(ops[v])} is not an NB101 op`;
    codes |= code << (2 * (v - 1));
  }
  return { adjacency: bits >>> 0, ops: codes, nodes: dim };
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
