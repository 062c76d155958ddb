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
  ) {
    super(`${file}: ${problem}${offset === null ? '' : ` at byte ${offset}`}; ${FIX}`);
    this.name = 'WfdbFormatError';
  }
}
