import { closeSync, fstatSync, fsyncSync, ftruncateSync, openSync, readFileSync, readdirSync, renameSync, unlinkSync, writeSync, existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UserError } from './errors';

/**
 * Crash-safe files for the embedded store (runs.jsonl, `--out` results, saved models):
 *
 * - `writeFileAtomicSync`: the whole file is replaced or left as it was. The new content goes
 *   to a temporary file beside the target, is flushed to disk (fsync), renamed over the target
 *   (atomic on POSIX), and the directory is flushed so that the rename itself is durable.
 *   Temporary files left by a writer that was killed are removed by the next write.
 * - `appendDurableSync`: appends one record (a line) and flushes it; a write that fails part
 *   way (disk full, file size limit) is cut back off, so the file ends on a whole record.
 * - `readJournalSync`: the complete lines of an append-only file. A last line without its
 *   newline was being written when the process died; it is cut off the file (that record is
 *   simply written again).
 *
 * A failed write throws a UserError naming the file and the cause (with `hint` appended).
 */

let tmpCounter = 0;

export function writeFileAtomicSync(path: string, data: string | Uint8Array, hint = ''): void {
  const dir = dirname(path);
  removeStaleTemps(dir, basename(path));
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${tmpCounter++}.tmp`);
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let fd: number | null = null;
  try {
    fd = openSync(tmp, 'wx', 0o644);
    writeAllSync(fd, bytes);
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== null) closeQuietly(fd);
    unlinkQuietly(tmp);
    throw writeError(path, e, hint);
  }
  fsyncDirSync(dir);
}

export function appendDurableSync(path: string, data: string | Uint8Array, hint = ''): void {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const created = !existsSync(path);
  let fd: number;
  try {
    fd = openSync(path, 'a', 0o644);
  } catch (e) {
    throw writeError(path, e, hint);
  }
  const size = fstatSync(fd).size;
  try {
    writeAllSync(fd, bytes);
    fsyncSync(fd);
  } catch (e) {
    try {
      ftruncateSync(fd, size); // no half record left behind
      fsyncSync(fd);
    } catch {
      // readJournalSync cuts the torn tail off on the next start
    }
    throw writeError(path, e, hint);
  } finally {
    closeQuietly(fd);
  }
  if (created) fsyncDirSync(dirname(path));
}

/** Complete lines of an append-only file, in order; a torn last line is cut off the file. Empty when the file is missing. */
export function readJournalSync(path: string): { lines: string[]; droppedBytes: number } {
  if (!existsSync(path)) return { lines: [], droppedBytes: 0 };
  const buf = readFileSync(path);
  const end = buf.lastIndexOf(0x0a) + 1; // just past the last newline; 0 when there is none
  if (end < buf.length) {
    const fd = openSync(path, 'r+');
    try {
      ftruncateSync(fd, end);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
  const text = buf.subarray(0, end).toString('utf8');
  const lines = text === '' ? [] : text.slice(0, -1).split('\n');
  return { lines, droppedBytes: buf.length - end };
}

/** Temporary files of `name` left by processes that died mid-write (SIGKILL, power loss). */
function removeStaleTemps(dir: string, name: string): void {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return; // the write itself reports the problem
  }
  const prefix = `.${name}.`;
  for (const entry of entries) {
    if (!entry.startsWith(prefix) || !entry.endsWith('.tmp')) continue;
    const pid = Number(entry.slice(prefix.length).split('.')[0]);
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && !alive(pid)) unlinkQuietly(join(dir, entry));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function writeAllSync(fd: number, bytes: Uint8Array): void {
  let at = 0;
  while (at < bytes.length) at += writeSync(fd, bytes, at, bytes.length - at);
}

function fsyncDirSync(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, 'r');
  } catch {
    return;
  }
  try {
    fsyncSync(fd);
  } catch {
    // some file systems refuse fsync on a directory; the rename is still atomic
  } finally {
    closeQuietly(fd);
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // never created
  }
}

const CAUSES: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EFBIG: 'the file size limit was reached (ulimit -f)',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'the directory does not exist',
  ENOTDIR: 'a part of the path is not a directory',
  EISDIR: 'the path is a directory',
  EIO: 'an I/O error',
};

function writeError(path: string, e: unknown, hint: string): UserError {
  const code = (e as NodeJS.ErrnoException).code;
  const cause = code && CAUSES[code] ? `${CAUSES[code]} (${code})` : (e as Error).message;
  return new UserError(`cannot write ${path}: ${cause}${hint ? `; ${hint}` : ''}`);
}
