import { closeSync, openSync, writeSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

/** Default cap of stdout.log and stderr.log, each: 10 MiB. */
export const DEFAULT_MAX_LOG_BYTES = 10 * 1024 * 1024;

/**
 * A log file that keeps the first `maxBytes` bytes of a stream and drops the rest, ending the
 * file with a note of how much was dropped. Writes are synchronous and never throw: a failing
 * disk stops the log (noted in `error`), not the trial.
 */
export class CappedLog {
  private fd: number | null;
  private written = 0;
  private dropped = 0;
  error: string | null = null;

  constructor(
    readonly path: string,
    readonly maxBytes: number,
  ) {
    this.fd = openSync(path, 'w', 0o644);
  }

  write(chunk: Buffer): void {
    const room = Math.max(0, this.maxBytes - this.written);
    const n = Math.min(room, chunk.length);
    this.dropped += chunk.length - n;
    if (n === 0 || this.fd === null) return;
    try {
      let at = 0;
      while (at < n) at += writeSync(this.fd, chunk, at, n - at);
      this.written += n;
    } catch (e) {
      this.fail(e);
    }
  }

  /** Closes the file, first noting the dropped bytes (if any). */
  close(): void {
    if (this.fd === null) return;
    try {
      if (this.dropped > 0) writeSync(this.fd, `\n[enas: log capped at ${this.maxBytes} bytes; ${this.dropped} more bytes dropped]\n`);
    } catch (e) {
      this.error ??= (e as Error).message;
    }
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
    this.fd = null;
  }

  get droppedBytes(): number {
    return this.dropped;
  }

  private fail(e: unknown): void {
    this.error = (e as Error).message;
    try {
      closeSync(this.fd!);
    } catch {
      // nothing more to do
    }
    this.fd = null;
  }
}

/** Longest line kept in a tail, in characters. */
const TAIL_LINE_CHARS = 500;

/**
 * Splits a byte stream into lines (`\n`, a trailing `\r` removed). A line longer than
 * `maxLineChars` is not buffered: `onLine` gets its first TAIL_LINE_CHARS characters with
 * `overlong` true. Keeps the last `tailLines` non-blank lines (each cut to TAIL_LINE_CHARS).
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';
  private head = '';
  private overlong = false;
  private readonly tail: string[] = [];

  constructor(
    private readonly maxLineChars: number,
    private readonly tailLines: number,
    private readonly onLine: (line: string, overlong: boolean) => void = () => undefined,
    /** Lines for which this is true stay out of the tail (protocol lines). */
    private readonly skipInTail: (line: string) => boolean = () => false,
  ) {}

  push(chunk: Buffer): void {
    this.feed(this.decoder.write(chunk));
  }

  end(): void {
    this.feed(this.decoder.end());
    if (this.pending !== '' || this.overlong) this.finishLine();
  }

  /** The last non-blank lines, oldest first. */
  lastLines(): string[] {
    return this.tail.slice();
  }

  private feed(text: string): void {
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) {
        if (start < text.length) this.append(start === 0 ? text : text.slice(start));
        return;
      }
      if (nl > start) this.append(text.slice(start, nl));
      this.finishLine();
      start = nl + 1;
    }
  }

  private append(part: string): void {
    if (this.overlong) return;
    if (this.pending.length + part.length > this.maxLineChars) {
      this.head = (this.pending + part.slice(0, TAIL_LINE_CHARS)).slice(0, TAIL_LINE_CHARS);
      this.pending = '';
      this.overlong = true;
      return;
    }
    this.pending += part;
  }

  private finishLine(): void {
    let line = this.overlong ? this.head : this.pending;
    const overlong = this.overlong;
    this.pending = '';
    this.head = '';
    this.overlong = false;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    this.onLine(line, overlong);
    if (line.trim() === '' || this.skipInTail(line)) return;
    this.tail.push(overlong || line.length > TAIL_LINE_CHARS ? `${line.slice(0, TAIL_LINE_CHARS - 3)}...` : line);
    if (this.tail.length > this.tailLines) this.tail.shift();
  }
}
