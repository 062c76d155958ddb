import { UserError } from '@dcl-enas/common';

/**
 * A service could not start for a reason outside the program (NATS refused the connection or the
 * TLS handshake, JetStream refused a stream): one line naming the cause, exit code 1.
 */
export class StartupError extends UserError {
  constructor(message: string) {
    super(message, 1);
    this.name = 'StartupError';
  }
}

/** What a failed start-up opened (NATS connections, NestJS apps, RPC clients): closed before the process exits. */
const openedDuringStart = new Set<() => Promise<unknown>>();

/** Registers something to close if the start-up fails; the returned function unregisters it. */
export function closeIfStartFails(close: () => Promise<unknown>): () => void {
  openedDuringStart.add(close);
  return () => openedDuringStart.delete(close);
}

/**
 * Ends a process whose service failed to start: one line on stderr (`<prefix>: ...`; the stack
 * only with ENAS_DEBUG=1), what the start-up opened closed (each within 2 s), exit code 2 for a
 * configuration problem, 1 otherwise. Without the closing, an open NATS connection or listener
 * would keep the process alive.
 */
export async function exitOnStartFailure(prefix: string, e: unknown): Promise<never> {
  const err = e instanceof Error ? e : new Error(String(e));
  const line = e instanceof UserError ? err.message : `failed to start: ${err.message.split('\n')[0]}`;
  process.stderr.write(`${prefix}: ${line}\n`);
  if (process.env['ENAS_DEBUG'] && !(e instanceof UserError)) process.stderr.write(`${err.stack}\n`);
  const closing = [...openedDuringStart].map((close) => Promise.race([close().catch(() => undefined), new Promise((r) => setTimeout(r, 2000).unref())]));
  openedDuringStart.clear();
  await Promise.all(closing);
  process.exit(e instanceof UserError ? e.exitCode : 1);
}

/**
 * Entry point of a service process: a configuration or usage problem ends in its lines on
 * stderr and exit code 2; a failure to start (NATS refused, JetStream refused a stream) in one
 * line and exit code 1, after closing what the start-up opened (exitOnStartFailure).
 */
export function runService(name: string, start: () => Promise<void>): void {
  start().catch((e: unknown) => exitOnStartFailure(`enas ${name}`, e));
}
