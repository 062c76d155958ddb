import { UserError } from './errors';

/**
 * What `enas data check` says about one data set or file: ok, MISSING or BAD; `absent` is an
 * optional file that is not there (not a failure: the data set works without it).
 */
export type DataStatus = 'ok' | 'absent' | 'MISSING' | 'BAD';

/** True unless the check is MISSING or BAD: `enas data check` exits non-zero for those. */
export const dataCheckOk = (check: DataCheck): boolean => check.status === 'ok' || check.status === 'absent';

export interface DataCheck {
  readonly name: string;
  readonly status: DataStatus;
  /** One line: what was found, or what is missing or wrong and how to fix it. */
  readonly detail: string;
}

/**
 * Runs `load` (the data set's own loader) and reports ok with its summary, or BAD with the
 * loader's one-line UserError. Other errors are bugs, not bad data, and are rethrown.
 */
export function checkByLoading(name: string, load: () => string): DataCheck {
  try {
    return { name, status: 'ok', detail: load() };
  } catch (err) {
    if (err instanceof UserError) return { name, status: 'BAD', detail: err.message };
    throw err;
  }
}
