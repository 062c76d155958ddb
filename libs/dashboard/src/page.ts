import { readFileSync } from 'node:fs';
import { join } from 'node:path';

let cached: string | null = null;

/**
 * The dashboard page: one self-contained HTML document (its script and styles inline, no CDN),
 * served at `<base>/`; it reads `api/stream` and `api/experiments/:id/stream` relative to itself.
 * It holds no data: with an API token configured it is served without it, asks the user for the
 * token and sends it as an `Authorization: Bearer` header on its own requests (DASHBOARD_OPEN_PATHS).
 */
export function dashboardPage(): string {
  if (cached) return cached;
  const css = readFileSync(join(__dirname, 'assets', 'dashboard.css'), 'utf8');
  const js = readFileSync(join(__dirname, 'assets', 'dashboard.js'), 'utf8');
  cached = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>DCL-ENAS dashboard</title><style>${css}</style></head>
<body><header><h1>DCL-ENAS · architecture search</h1><span id="conn">connecting…</span><button type="button" id="forget" hidden>forget token</button></header>
<div class="layout"><nav><h2>Experiments</h2><ul id="experiments"></ul></nav><main id="detail"><div class="empty">Loading…</div></main></div>
<script>${js.replace(/<\/script/gi, '<\\/script')}</script>
</body></html>
`;
  return cached;
}

/** The routes both servers (the orchestrator's and `enas search --ui`) offer under the dashboard's base path. */
export const DASHBOARD_ROUTES = {
  page: '/dashboard/',
  list: '/dashboard/api/experiments',
  listStream: '/dashboard/api/stream',
  view: (id: string) => `/dashboard/api/experiments/${encodeURIComponent(id)}`,
  viewStream: (id: string) => `/dashboard/api/experiments/${encodeURIComponent(id)}/stream`,
} as const;

/**
 * The paths of the page itself (the root redirects to it), served without the API token: the page
 * is static and holds no data, and a browser cannot send a bearer header when it loads a page.
 * Everything under `/dashboard/api/` stays behind the token. (Exact paths, trailing slash removed,
 * as `bearerAuth` compares them.)
 */
export const DASHBOARD_OPEN_PATHS = ['/', '/dashboard'] as const;
