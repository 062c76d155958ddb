import { mkdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { homedir, endianness } from 'node:os';
import { basename, join } from 'node:path';
import { Nb101Table, type Nb101Source } from './nb101-table';

const MAGIC = 'DCLNB101';
/** 2: tables are validated as they are read from the release; caches written before that are rebuilt. */
const VERSION = 2;
const HEADER = 40;
/** Bytes per row: 4 float64 columns, uint32 + uint16 + uint8 cell, 16-byte hash. */
const ROW = 4 * 8 + 4 + 2 + 1 + 16;

/** $XDG_CACHE_HOME/dcl-enas, else ~/.cache/dcl-enas. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env['XDG_CACHE_HOME'] || join(homedir(), '.cache'), 'dcl-enas');
}

/** Identity of the source file the cache was built from. */
export interface SourceStamp {
  readonly size: number;
  readonly mtimeMs: number;
}

export function stampOf(file: string): SourceStamp {
  const s = statSync(file);
  return { size: s.size, mtimeMs: Math.floor(s.mtimeMs) };
}

export function cachePathFor(file: string, stamp: SourceStamp, cacheDir: string): string {
  return join(cacheDir, `nb101-${basename(file)}-${stamp.size}-${stamp.mtimeMs}.bin`);
}

/** The cached table, or null when there is none or it does not match the source. */
export function readTableCache(path: string, stamp: SourceStamp): Nb101Table | null {
  if (endianness() !== 'LE') return null;
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch {
    return null;
  }
  if (buf.length < HEADER || buf.toString('latin1', 0, 8) !== MAGIC || buf.readUInt32LE(8) !== VERSION) return null;
  const n = buf.readUInt32LE(12);
  if (buf.length !== HEADER + n * ROW || buf.readDoubleLE(16) !== stamp.size || buf.readDoubleLE(24) !== stamp.mtimeMs) return null;
  const source: Nb101Source = buf[32] === 0 ? 'full' : 'subset';
  let at = HEADER;
  // Copy each column out, so typed arrays are aligned whatever the Buffer's offset.
  const take = <T extends Float64Array | Uint32Array | Uint16Array | Uint8Array>(make: new (n: number) => T): T => {
    const column = new make(n);
    const bytes = n * column.BYTES_PER_ELEMENT;
    new Uint8Array(column.buffer).set(buf.subarray(at, at + bytes));
    at += bytes;
    return column;
  };
  const valAcc = take(Float64Array);
  const testAcc = take(Float64Array);
  const trainSeconds = take(Float64Array);
  const params = take(Float64Array);
  const adjacency = take(Uint32Array);
  const ops = take(Uint16Array);
  const nodes = take(Uint8Array);
  if (!figuresInRange(valAcc, testAcc, trainSeconds, params)) return null;
  const hashes = new Array<string>(n);
  for (let i = 0; i < n; i++, at += 16) hashes[i] = buf.toString('hex', at, at + 16);
  return new Nb101Table({ hashes, valAcc, testAcc, trainSeconds, params, adjacency, ops, nodes }, source);
}

/** A damaged cache is rebuilt from the release rather than trusted: every figure must be in range (NaN = missing). */
function figuresInRange(valAcc: Float64Array, testAcc: Float64Array, trainSeconds: Float64Array, params: Float64Array): boolean {
  for (let i = 0; i < valAcc.length; i++) {
    const v = valAcc[i];
    const t = testAcc[i];
    if (!(v >= 0 && v <= 100) || !(Number.isNaN(t) || (t >= 0 && t <= 100))) return false;
    if (!(Number.isNaN(trainSeconds[i]) || (trainSeconds[i] >= 0 && trainSeconds[i] < Infinity))) return false;
    if (!(Number.isNaN(params[i]) || (params[i] >= 0 && params[i] < Infinity))) return false;
  }
  return true;
}

/** Writes the table atomically (temp file + rename); returns false when the cache is not writable. */
export function writeTableCache(path: string, stamp: SourceStamp, table: Nb101Table): boolean {
  if (endianness() !== 'LE') return false;
  const c = table.columns;
  const n = table.size;
  const buf = Buffer.alloc(HEADER + n * ROW);
  buf.write(MAGIC, 0, 'latin1');
  buf.writeUInt32LE(VERSION, 8);
  buf.writeUInt32LE(n, 12);
  buf.writeDoubleLE(stamp.size, 16);
  buf.writeDoubleLE(stamp.mtimeMs, 24);
  buf[32] = table.source === 'full' ? 0 : 1;
  let at = HEADER;
  for (const column of [c.valAcc, c.testAcc, c.trainSeconds, c.params, c.adjacency, c.ops, c.nodes]) {
    const bytes = new Uint8Array(column.buffer, column.byteOffset, column.byteLength);
    buf.set(bytes, at);
    at += bytes.length;
  }
  for (const hash of c.hashes) at += buf.write(hash, at, 16, 'hex');
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(tmp, buf);
    renameSync(tmp, path);
    return true;
  } catch {
    try {
      unlinkSync(tmp);
    } catch {
      // nothing was written
    }
    return false;
  }
}
