import type { NatsConnection } from 'nats';

/** What /readyz reports: ready once every named check passes. */
export class Readiness {
  private readonly checks = new Map<string, string | null>();

  /** `problem` null means the check passes. */
  set(name: string, problem: string | null): void {
    this.checks.set(name, problem);
  }

  problems(): string[] {
    return [...this.checks].filter(([, p]) => p !== null).map(([name, p]) => `${name}: ${p}`);
  }

  /** Tracks the NATS connection: not ready while disconnected. */
  watchNats(nc: NatsConnection): void {
    this.set('nats', null);
    void (async () => {
      for await (const s of nc.status()) {
        if (s.type === 'disconnect' || s.type === 'reconnecting') this.set('nats', 'disconnected from NATS, reconnecting');
        if (s.type === 'reconnect') this.set('nats', null);
      }
    })();
    void nc.closed().then(() => this.set('nats', 'connection closed'));
  }
}
