import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UserError } from '@dcl-enas/common';
import { dashboardPage, watchExperiment, watchExperiments, type DashboardHub } from '@dcl-enas/dashboard';

/** The dashboard over plain node:http, for `enas search --ui` (the orchestrator serves the same routes through NestJS). */
export async function startDashboardServer(hub: DashboardHub, port: number, host = '127.0.0.1'): Promise<{ url: string; close: () => Promise<void> }> {
  const streams = new Set<ServerResponse>();
  const server: Server = createServer((req, res) => route(hub, req, res, streams));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      const why = e.code === 'EADDRINUSE' ? 'is in use' : e.code === 'EACCES' ? 'needs privileges (permission denied)' : `cannot be listened on (${e.code ?? e.message})`;
      reject(new UserError(`cannot serve the dashboard: port ${port} ${why}; choose another with --ui-port (0 picks a free one)`));
    });
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host}:${address.port}/dashboard/`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of streams) s.end();
        server.close(() => resolve());
      }),
  };
}

function route(hub: DashboardHub, req: IncomingMessage, res: ServerResponse, streams: Set<ServerResponse>): void {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  if (req.method !== 'GET') return json(res, 405, { error: 'only GET is served here' });
  if (path === '/' || path === '/dashboard') {
    res.writeHead(302, { location: '/dashboard/' }).end();
    return;
  }
  if (path === '/dashboard/') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(dashboardPage());
    return;
  }
  if (path === '/dashboard/api/experiments') return json(res, 200, hub.summaries());
  if (path === '/dashboard/api/stream') return sse(res, streams, (send) => watchExperiments(hub, (list) => send('experiments', list)));
  const m = /^\/dashboard\/api\/experiments\/([^/]+)(\/stream)?$/.exec(path);
  if (m) {
    const id = decodeURIComponent(m[1]);
    if (!hub.tracker(id)) return json(res, 404, { error: `no experiment with id "${id}"` });
    if (!m[2]) return json(res, 200, hub.view(id));
    return sse(res, streams, (send) => watchExperiment(hub, id, (view) => send('view', view)));
  }
  json(res, 404, { error: `nothing at ${path}: the dashboard is at /dashboard/` });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function sse(res: ServerResponse, streams: Set<ServerResponse>, start: (send: (event: string, data: unknown) => void) => () => void): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  streams.add(res);
  const stop = start((event, data) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`));
  res.on('close', () => {
    stop();
    streams.delete(res);
  });
}
