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

/**
 * A trial that failed on its own terms (the user's command exited non-zero, timed out, reported
 * no objective): it is recorded as failed with `message` as its one-line reason and the search
 * goes on (up to trial.maxFailedTrials). Any other error while evaluating a trial is a fault of
 * the evaluator and stops an in-process search.
 */
export class TrialFailure extends Error {
  constructor(
    message: string,
    /** Its last log lines, kept with the failed result. */
    readonly logTail: readonly string[] = [],
  ) {
    super(message);
    this.name = 'TrialFailure';
  }
}
