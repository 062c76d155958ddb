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

export function connectNats(settings: NatsSettings, name: string): Promise<NatsConnection> {
  return connect(natsConnectionOptions(settings, name));
}
