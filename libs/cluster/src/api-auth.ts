import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Paths served without the token by default: the probes, and the Prometheus scrape (ENAS_API_OPEN_PATHS). */
export const DEFAULT_OPEN_PATHS = ['/healthz', '/readyz', '/metrics'] as const;

/** Compares two secrets in time independent of where they differ (and of their lengths: both are hashed first). */
export function secretsEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * HTTP middleware (Express signature) requiring `Authorization: Bearer <token>` on every path
 * except `openPaths` (exact paths, query ignored); otherwise 401 with a one-line reason.
 */
export function bearerAuth(token: string, openPaths: readonly string[]): (req: IncomingMessage, res: ServerResponse, next: () => void) => void {
  const open = new Set(openPaths);
  return (req, res, next) => {
    const path = (req.url ?? '/').split('?')[0]!.replace(/\/+$/, '') || '/';
    if (open.has(path)) return next();
    const header = req.headers['authorization'];
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (match && secretsEqual(match[1]!, token)) return next();
    res.statusCode = 401;
    res.setHeader('WWW-Authenticate', 'Bearer realm="dcl-enas"');
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.end(JSON.stringify({ statusCode: 401, error: match ? 'invalid bearer token' : 'missing bearer token: send "Authorization: Bearer <token>" (ENAS_API_TOKEN; the CLI reads it from ENAS_API_TOKEN too)' }));
  };
}
