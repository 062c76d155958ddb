import { UserError } from '@dcl-enas/common';

/** A damaged or incomplete TFRecord file, named with the byte offset of the bad record. */
export class TfRecordError extends UserError {
  constructor(
    readonly file: string,
    readonly offset: number,
    problem: string,
    fix = 'the file is damaged; download it again',
  ) {
    super(`${file}: ${problem} at byte offset ${offset}; ${fix}`);
    this.name = 'TfRecordError';
  }
}
