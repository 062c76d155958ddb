/** What a failed Kubernetes API call means for the launcher. */
export type KubeErrorKind =
  | 'already-exists' // 409 AlreadyExists: a Job of that name is there (adopt it)
  | 'conflict' // 409 Conflict: stale resourceVersion on an update
  | 'quota' // 403 "exceeded quota": back off and try again later
  | 'forbidden' // 403 otherwise: RBAC; retrying does not help
  | 'not-found' // 404
  | 'gone' // 410: the watch's resourceVersion is too old
  | 'invalid' // 422: the object does not validate
  | 'unavailable'; // 429, 5xx, network: transient

export interface KubeError {
  kind: KubeErrorKind;
  status?: number;
  reason?: string;
  message: string;
}

interface StatusBody {
  kind?: string;
  reason?: string;
  message?: string;
  code?: number;
}

function statusBody(body: unknown): StatusBody | undefined {
  if (typeof body === 'string') {
    try {
      return JSON.parse(body) as StatusBody;
    } catch {
      return { message: body };
    }
  }
  return typeof body === 'object' && body !== null ? (body as StatusBody) : undefined;
}

/** Classifies an error thrown by @kubernetes/client-node (ApiException) or by the network. */
export function classifyKubeError(error: unknown): KubeError {
  const err = error as { code?: unknown; statusCode?: unknown; body?: unknown; message?: string };
  const status = typeof err.code === 'number' ? err.code : typeof err.statusCode === 'number' ? err.statusCode : undefined;
  const body = statusBody(err.body);
  const reason = body?.reason;
  const message = body?.message ?? (status === undefined ? (err.message ?? String(error)) : `HTTP ${status}`);
  const base = { status, reason, message };
  switch (status) {
    case 409:
      return { kind: reason === 'Conflict' ? 'conflict' : 'already-exists', ...base };
    case 403:
      return { kind: /exceeded quota/i.test(message) ? 'quota' : 'forbidden', ...base };
    case 404:
      return { kind: 'not-found', ...base };
    case 410:
      return { kind: 'gone', ...base };
    case 400:
    case 422:
      return { kind: 'invalid', ...base };
    default:
      return { kind: 'unavailable', ...base };
  }
}
