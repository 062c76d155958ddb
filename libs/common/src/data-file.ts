import { readFileSync, statSync, type Stats } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { UserError } from './errors';

/** What a data file may weigh: files larger than this are not the expected file, and are not read. */
export interface DataFileLimit {
  readonly maxBytes: number;
  /** Appended to every message: how to get a good copy of the file. */
  readonly fix?: string;
  /** For formats where an empty file is valid, or whose parser names the problem better. */
  readonly allowEmpty?: boolean;
}

const DEFAULT_FIX = 'restore the file from the original data set';

/**
 * Reads a whole data file after checking that it is a non-empty regular file no larger than
 * `maxBytes`. Every failure (missing, a directory, unreadable, empty, too large) is one UserError
 * line naming the file.
 */
export function readDataFileSync(file: string, limit: DataFileLimit): Buffer {
  checkDataFileSync(file, limit);
  try {
    return readFileSync(file);
  } catch (err) {
    throw fileError(file, err, limit);
  }
}

/** readDataFileSync without blocking. */
export async function readDataFile(file: string, limit: DataFileLimit): Promise<Buffer> {
  let info: Stats;
  try {
    info = await stat(file);
  } catch (err) {
    throw fileError(file, err, limit);
  }
  checkStats(file, info, limit);
  try {
    return await readFile(file);
  } catch (err) {
    throw fileError(file, err, limit);
  }
}

/** Checks a file that is streamed rather than read whole (same rules as readDataFileSync); returns its size. */
export function checkDataFileSync(file: string, limit: DataFileLimit): number {
  let info: Stats;
  try {
    info = statSync(file);
  } catch (err) {
    throw fileError(file, err, limit);
  }
  checkStats(file, info, limit);
  return info.size;
}

/** Decompresses a gzip data file read with readDataFileSync; a damaged stream or an oversized one is one UserError line. */
export function gunzipDataFile(file: string, compressed: Buffer, limit: DataFileLimit): Buffer {
  try {
    return gunzipSync(compressed, { maxOutputLength: limit.maxBytes });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const fix = limit.fix ?? DEFAULT_FIX;
    if (code === 'Z_BUF_ERROR') throw new UserError(`${file}: the gzip stream ends early (the file is truncated); ${fix}`);
    if (code === 'ERR_BUFFER_TOO_LARGE') throw new UserError(`${file}: decompresses to more than ${limit.maxBytes} bytes, far more than this data file holds; ${fix}`);
    throw new UserError(`${file}: not a valid gzip file (${(err as Error).message}); ${fix}`);
  }
}

function checkStats(file: string, info: Stats, limit: DataFileLimit): void {
  const fix = limit.fix ?? DEFAULT_FIX;
  if (info.isDirectory()) throw new UserError(`${file} is a directory, not a file; ${fix}`);
  if (!info.isFile()) throw new UserError(`${file} is not a regular file; ${fix}`);
  if (info.size === 0 && !limit.allowEmpty) throw new UserError(`${file} is empty; ${fix}`);
  if (info.size > limit.maxBytes) {
    throw new UserError(`${file} is ${info.size} bytes, more than the ${limit.maxBytes} this data file can be; it is not the expected file; ${fix}`);
  }
}

function fileError(file: string, err: unknown, limit: DataFileLimit): UserError {
  const code = (err as NodeJS.ErrnoException).code;
  const fix = limit.fix ?? DEFAULT_FIX;
  if (code === 'ENOENT') return new UserError(`${file} does not exist; ${fix}`);
  if (code === 'EISDIR') return new UserError(`${file} is a directory, not a file; ${fix}`);
  if (code === 'EACCES' || code === 'EPERM') return new UserError(`${file} cannot be read (permission denied): check the file's permissions`);
  return new UserError(`${file} cannot be read (${code ?? (err as Error).message}); ${fix}`);
}
