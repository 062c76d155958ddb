/**
 * An error caused by what the user asked for or supplied (bad flag, bad file, missing data).
 * Front ends print `message` as one line (it names the problem and the fix) and exit non-zero.
 */
export class UserError extends Error {
  constructor(message: string, readonly exitCode = 2) {
    super(message);
    this.name = 'UserError';
  }
}
