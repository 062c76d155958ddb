import { z } from 'zod';
import { ARCH_TEXT_MAX_CHARS } from '@dcl-enas/spaces';

/**
 * Size limits of every input the platform takes (issue 9): each field of a message or spec is
 * bounded here; whole messages by ENAS_MAX_MESSAGE_BYTES, HTTP bodies and spec files by specBytes.
 */
export const LIMITS = {
  /** An architecture's text form (libs/spaces refuses longer text before parsing). */
  archChars: ARCH_TEXT_MAX_CHARS,
  /** An architecture's canonical key. */
  keyChars: 1024,
  /** Names of spaces, datasets, strategies, engines, variants. */
  nameChars: 64,
  /** An experiment spec file or HTTP request body. */
  specBytes: 64 * 1024,
  /** Trials proposed in one batch (the spec's batchSize maximum). */
  batchTrials: 1024,
} as const;

export const archText = () => z.string().min(1).max(LIMITS.archChars);
export const archKey = () => z.string().min(1).max(LIMITS.keyChars);
export const shortName = () => z.string().min(1).max(LIMITS.nameChars);
/**
 * A trial's secret: given only to the runner of that trial (in its request) and echoed in its
 * result, so that nobody else on the bus can answer the trial (docs/security.md).
 */
export const trialToken = () => z.string().regex(/^[0-9a-f]{32}$/, 'a trial token is 32 hex digits');
