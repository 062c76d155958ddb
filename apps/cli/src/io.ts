import { closeSync, constants, fstatSync, mkdirSync, openSync, readSync, statSync, unlinkSync, type Stats } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UserError } from '@dcl-enas/common';

const CAUSES: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOTDIR: 'a part of the path is not a directory',
  EISDIR: 'it is a directory',
  EROFS: 'the file system is read-only',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EIO: 'an I/O error',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'the name is too long',
};

function cause(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return code && CAUSES[code] ? `${CAUSES[code]} (${code})` : code ?? (e as Error).message;
}

/**
 * The text of a file the user named, at most `maxBytes`. Only a regular file is read: a
 * directory, a FIFO or a device (/dev/zero, /dev/urandom) is refused before any byte is read,
 * and a file that grows past the limit while being read (or reports size 0, as /proc does)
 * stops at it. `what` names the argument and `fix` says what to give instead.
 */
export function readInputFile(path: string, what: string, maxBytes: number, fix: string): string {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw new UserError(`${what} ${path} cannot be read: ${cause(e)}; ${fix}`);
  }
  try {
    const info = fstatSync(fd);
    if (info.isDirectory()) throw new UserError(`${what} ${path} is a directory, not a file; ${fix}`);
    if (!info.isFile()) throw new UserError(`${what} ${path} is not a regular file (a device, FIFO or socket); ${fix}`);
    const buf = Buffer.alloc(maxBytes + 1);
    let length = 0;
    let n: number;
    while (length < buf.length && (n = readSync(fd, buf, length, buf.length - length, null)) > 0) length += n;
    if (length > maxBytes) throw new UserError(`${what} ${path} is larger than ${maxBytes} bytes; ${fix}`);
    return buf.subarray(0, length).toString('utf8');
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`${what} ${path} cannot be read: ${cause(e)}; ${fix}`);
  } finally {
    closeSync(fd);
  }
}

/**
 * Creates an output directory (and its parents) and checks that a file can be created in it,
 * before any work starts: a path that cannot be written is refused up front, not after a long
 * search. One level at a time, because Node's recursive mkdirSync never returns where mkdir
 * answers ENOENT under an existing directory (e.g. under /proc).
 */
export function prepareOutDir(dir: string, flag = '--out'): void {
  const missing: string[] = [];
  try {
    let at = resolve(dir);
    let info: Stats | undefined;
    while ((info = statSync(at, { throwIfNoEntry: false })) === undefined) {
      missing.unshift(at);
      at = dirname(at);
    }
    if (!info.isDirectory()) throw new UserError(`${flag} ${dir}: ${at} is not a directory; choose another ${flag} directory`);
    for (const d of missing) mkdirSync(d);
    const probe = join(dir, `.enas-write-test.${process.pid}`);
    closeSync(openSync(probe, 'w'));
    unlinkSync(probe);
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`${flag} ${dir} cannot be written: ${cause(e)}; choose another ${flag} directory`);
  }
}

/**
 * Output that cannot be written (a closed pipe, `| head -c 1`, a full disk) ends the command
 * with one line on stderr and exit 2, instead of an unhandled 'error' event and its stack.
 */
export function guardStdout(): void {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    const why = e.code === 'EPIPE' ? 'the reader closed the pipe (EPIPE)' : cause(e);
    process.stderr.write(`enas: cannot write to stdout: ${why}\n`, () => process.exit(2));
  });
  // Nothing can be reported about a stderr that cannot be written; the exit code still says it.
  process.stderr.on('error', () => process.exit(2));
}
