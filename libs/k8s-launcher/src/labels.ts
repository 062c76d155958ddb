import { createHash } from 'node:crypto';

/** Label and annotation keys the launcher puts on every object it creates. */
export const LABELS = {
  managedBy: 'app.kubernetes.io/managed-by',
  partOf: 'app.kubernetes.io/part-of',
  component: 'app.kubernetes.io/component',
  experiment: 'dcl-enas.io/experiment',
  trial: 'dcl-enas.io/trial',
  attempt: 'dcl-enas.io/attempt',
  role: 'dcl-enas.io/role',
} as const;

export const ANNOTATIONS = {
  experimentId: 'dcl-enas.io/experiment-id',
  trialId: 'dcl-enas.io/trial-id',
} as const;

export const MANAGED_BY = 'dcl-enas-launcher';
export const PART_OF = 'dcl-enas';

export type ObjectRole = 'trial' | 'experiment';

/** Selects every object this launcher manages in its namespace (trials and experiment anchors). */
export const MANAGED_SELECTOR = `${LABELS.managedBy}=${MANAGED_BY}`;

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function shortHash(text: string, length: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/**
 * A Kubernetes label value for an id: the id itself when it is a valid label value, else a
 * stable hash of it (the original id is kept in an annotation). Lookups by label use the same
 * function, so any id string works.
 */
export function labelValue(id: string): string {
  return id.length > 0 && id.length <= 63 && LABEL_VALUE.test(id) ? id : `h-${shortHash(id, 40)}`;
}

function dnsSlug(text: string, max: number): string {
  const slug = text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, max)
    .replace(/-+$/g, '');
  return slug;
}

/**
 * The Job name of one attempt of one trial: readable prefix, a hash of (experiment, trial) so
 * names never collide after truncation, and the attempt number. Deterministic, so a second
 * create of the same attempt gets 409 AlreadyExists instead of a duplicate Job. At most 52
 * characters, leaving room under the 63-character label limit for the pod name suffix.
 */
export function trialJobName(experimentId: string, trialId: string, attempt: number): string {
  const hash = shortHash(`${experimentId}\u0000${trialId}`, 10);
  const readable = dnsSlug(`${experimentId}-${trialId}`, 30);
  return ['enas', readable, hash, `a${attempt}`].filter((part) => part.length > 0).join('-');
}

/** The name of the experiment's anchor Job (the owner of its trial Jobs). */
export function experimentAnchorName(experimentId: string): string {
  const hash = shortHash(experimentId, 10);
  const readable = dnsSlug(experimentId, 30);
  return ['enas-exp', readable, hash].filter((part) => part.length > 0).join('-');
}

export function experimentSelector(experimentId: string): string {
  return `${MANAGED_SELECTOR},${LABELS.experiment}=${labelValue(experimentId)}`;
}

export function trialLabels(experimentId: string, trialId: string, attempt: number): Record<string, string> {
  return {
    [LABELS.managedBy]: MANAGED_BY,
    [LABELS.partOf]: PART_OF,
    [LABELS.component]: 'trial',
    [LABELS.role]: 'trial',
    [LABELS.experiment]: labelValue(experimentId),
    [LABELS.trial]: labelValue(trialId),
    [LABELS.attempt]: String(attempt),
  };
}

export function experimentLabels(experimentId: string): Record<string, string> {
  return {
    [LABELS.managedBy]: MANAGED_BY,
    [LABELS.partOf]: PART_OF,
    [LABELS.component]: 'experiment',
    [LABELS.role]: 'experiment',
    [LABELS.experiment]: labelValue(experimentId),
  };
}
