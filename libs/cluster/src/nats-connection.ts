import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { connect, credsAuthenticator, nkeyAuthenticator, type ConnectionOptions, type NatsConnection } from 'nats';
import type { NatsSettings } from './config';

/** Connection options from the validated settings: reconnect forever, wait for the first server. */
export function natsConnectionOptions(settings: NatsSettings, name: string): ConnectionOptions {
  const options: ConnectionOptions = {
    servers: settings.servers,
    name: `${name}@${hostname()}:${process.pid}`,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    waitOnFirstConnect: true,
    pingInterval: 10_000,
  };
  const auth = settings.auth;
  if (auth.kind === 'creds') options.authenticator = credsAuthenticator(readFileSync(auth.file));
  if (auth.kind === 'nkey') options.authenticator = nkeyAuthenticator(new TextEncoder().encode(readFileSync(auth.seedFile, 'utf8').trim()));
  if (auth.kind === 'user') Object.assign(options, { user: auth.user, pass: auth.password });
  if (auth.kind === 'token') options.token = auth.token;
  if (settings.inboxPrefix) options.inboxPrefix = settings.inboxPrefix;
  if (settings.tls) options.tls = { caFile: settings.tls.caFile, certFile: settings.tls.certFile, keyFile: settings.tls.keyFile };
  return options;
}

/**
 * Connects, waiting as long as it takes while the server is not reachable (not started yet, its
 * name not resolvable yet: services start in any order), but failing at once when the server
 * answered and refused: wrong credentials, a TLS certificate not verified, TLS required by one
 * side only. Those never heal by waiting, and the client's own wait would hide them.
 * `onWait` hears why it is still waiting (a changed reason each time); after `giveUpAfterMs` it
 * stops waiting and throws the last "not reachable" error (natsNotReachable tells it apart).
 */
export async function connectNats(settings: NatsSettings, name: string, onWait?: (reason: string) => void, giveUpAfterMs = Infinity): Promise<NatsConnection> {
  const options = natsConnectionOptions(settings, name);
  const end = Date.now() + giveUpAfterMs;
  let last = '';
  for (;;) {
    try {
      return await connect({ ...options, waitOnFirstConnect: false, ...(Number.isFinite(giveUpAfterMs) ? { timeout: Math.max(100, Math.min(20_000, end - Date.now())) } : {}) });
    } catch (e) {
      if (!natsNotReachable(e) || Date.now() >= end) throw e;
      const reason = (e as Error).message;
      if (reason !== last) onWait?.(reason);
      last = reason;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

/** Errors of a server that is not there (yet), as opposed to one that refused us. */
export function natsNotReachable(e: unknown): boolean {
  const err = e as { code?: string; chainedError?: { code?: string }; message?: string };
  const codes = [err.code, err.chainedError?.code];
  const transient = ['CONNECTION_REFUSED', 'CONNECTION_TIMEOUT', 'ECONNREFUSED', 'TIMEOUT', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'CONNECTION_CLOSED', 'CONNECTION_DRAINING', 'DISCONNECT'];
  return codes.some((c) => c !== undefined && transient.includes(c));
}
