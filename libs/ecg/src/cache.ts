import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { endianness, homedir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '@dcl-enas/common';
import { RR_FEATURE_COUNT } from './rr-features';
import type { RecordBeats } from './extract-beats';

/** Bump when the extraction changes in a way the key cannot see, so old cache files are ignored. */
const CACHE_FORMAT = 2;
const MAGIC = 'DCLBEAT1';

/**
 * Cache directory: $ENAS_CACHE_DIR (the services' cache setting, e.g. a volume in a trainer pod),
 * else $XDG_CACHE_HOME/dcl-enas, else ~/.cache/dcl-enas.
 */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env['ENAS_CACHE_DIR']) return env['ENAS_CACHE_DIR'];
  const xdg = env['XDG_CACHE_HOME'];
  return xdg ? join(xdg, 'dcl-enas') : join(homedir(), '.cache', 'dcl-enas');
}

/**
 * Cache key: the extraction settings plus size and mtime of every input file, so replacing or
 * touching a data file, or changing the window, builds afresh.
 */
export async function cacheKey(settings: unknown, files: readonly string[]): Promise<string> {
  const stats = await Promise.all(files.map(async (f) => {
    const s = await stat(f).catch(() => {
      throw new UserError(`missing WFDB file ${f}: place the record's .hea, .dat and annotation files there (or set ENAS_DATA_DIR)`);
    });
    return [f, s.size, s.mtimeMs];
  }));
  return createHash('sha256').update(JSON.stringify({ format: CACHE_FORMAT, endianness: endianness(), settings, stats })).digest('hex');
}

export function cacheFileName(key: string): string {
  return `mitdb-beats-${key.slice(0, 24)}.bin`;
}

interface CacheMeta {
  readonly key: string;
  readonly windowLength: number;
  readonly records: readonly { record: number; size: number; gain: number; annotated: number[]; dropped: number }[];
}

/** Writes the per-record beats as one binary file (atomically: temp file, then rename). */
export async function writeBeatCache(path: string, key: string, windowLength: number, beats: readonly RecordBeats[]): Promise<void> {
  const meta: CacheMeta = {
    key,
    windowLength,
    records: beats.map((b) => ({ record: b.record, size: b.labels.length, gain: b.gain, annotated: [...b.annotated], dropped: b.dropped })),
  };
  const json = Buffer.from(JSON.stringify(meta), 'utf8');
  const head = Buffer.alloc(align(MAGIC.length + 4 + json.length));
  head.write(MAGIC, 0, 'latin1');
  head.writeUInt32LE(json.length, MAGIC.length);
  json.copy(head, MAGIC.length + 4);
  const parts: Uint8Array[] = [head];
  for (const b of beats) {
    for (const arr of [b.windows, b.labels, b.samples, b.rr]) {
      const bytes = new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength);
      parts.push(bytes, new Uint8Array(align(bytes.length) - bytes.length));
    }
  }
  await mkdir(join(path, '..'), { recursive: true });
  // unique across pods sharing the cache volume (each container's process may have the same pid)
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, parts);
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

/** Reads a cache file written by writeBeatCache; null when missing, damaged or for another key. */
export async function readBeatCache(path: string, key: string): Promise<{ windowLength: number; beats: RecordBeats[] } | null> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch {
    return null;
  }
  if (buf.length < MAGIC.length + 4 || buf.toString('latin1', 0, MAGIC.length) !== MAGIC) return null;
  const jsonLength = buf.readUInt32LE(MAGIC.length);
  let meta: CacheMeta;
  try {
    meta = JSON.parse(buf.toString('utf8', MAGIC.length + 4, MAGIC.length + 4 + jsonLength)) as CacheMeta;
  } catch {
    return null;
  }
  if (meta.key !== key) return null;
  let pos = align(MAGIC.length + 4 + jsonLength);
  const take = (bytes: number): ArrayBuffer | null => {
    if (pos + bytes > buf.length) return null;
    const out = buf.buffer.slice(buf.byteOffset + pos, buf.byteOffset + pos + bytes) as ArrayBuffer;
    pos += align(bytes);
    return out;
  };
  const beats: RecordBeats[] = [];
  for (const r of meta.records) {
    const n = r.size;
    const w = take(n * meta.windowLength * 2);
    const l = take(n);
    const s = take(n * 4);
    const rr = take(n * RR_FEATURE_COUNT * 4);
    if (!w || !l || !s || !rr) return null;
    beats.push({
      record: r.record,
      windows: new Int16Array(w),
      labels: new Uint8Array(l),
      samples: new Int32Array(s),
      rr: new Float32Array(rr),
      gain: r.gain,
      annotated: r.annotated,
      dropped: r.dropped,
    });
  }
  return pos === buf.length ? { windowLength: meta.windowLength, beats } : null;
}

function align(n: number): number {
  return Math.ceil(n / 8) * 8;
}
