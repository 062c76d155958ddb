import { UserError } from '@dcl-enas/common';

const FIX = 'the file is damaged or truncated: restore it from the original database (compare with its SHA256SUMS) and retry';

/**
 * A WFDB file that does not parse or does not match its header. `offset` is the byte where the
 * problem was found (null when the damage cannot be located, e.g. a checksum mismatch).
 */
export class WfdbFormatError extends UserError {
  constructor(
    readonly file: string,
    readonly offset: number | null,
    readonly problem: string,
    fix: string = FIX,
  ) {
    super(`${file}: ${oneLine(problem)}${offset === null ? '' : ` at byte ${offset}`}; ${fix}`);
    this.name = 'WfdbFormatError';
  }
}

/** Problems quote the file's own text: control characters escaped so the message stays one line. */
function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
