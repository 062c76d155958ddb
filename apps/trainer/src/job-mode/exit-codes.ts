/**
 * Exit codes of the trainer in job mode. The trial Job's podFailurePolicy fails the Job at once
 * on BAD_TRIAL (retrying cannot help); the others are retried up to the Job's backoffLimit.
 */
export const JOB_EXIT = {
  /** The result is stored (or was already stored by an earlier attempt). */
  OK: 0,
  /** Training or storing failed for a reason that may pass: retried. */
  FAILED: 1,
  /** Bad configuration, a trial that is not in the queue, or one that cannot be trained. */
  BAD_TRIAL: 2,
  /** NATS could not be reached within ENAS_JOB_CONNECT_TIMEOUT_MS: retried. */
  NATS_UNAVAILABLE: 3,
} as const;
