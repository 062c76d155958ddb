import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

function natsServerBinary(): string {
  const fromEnv = process.env['ENAS_NATS_SERVER_BIN'];
  if (fromEnv) return fromEnv;
  for (const p of ['/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server']) if (existsSync(p)) return p;
  return 'nats-server';
}

/**
 * A local nats-server with JetStream on its own port and store directory, for tests and
 * benchmarks; can be stopped and started again on the same port and store (a server restart).
 */
export class NatsServerProcess {
  private child: ChildProcess | null = null;
  /** Everything the server wrote to stderr (its log), across restarts. */
  output = '';

  private constructor(
    readonly port: number,
    readonly storeDir: string,
    private readonly ownsStore: boolean,
    private readonly configFile: string | null = null,
    private readonly env: Record<string, string> = {},
  ) {}

  /**
   * `config`: nats-server configuration text (e.g. an `authorization` block); port, store and
   * JetStream come from the flags. `env`: variables the config refers to (`$NATS_TRAINER_PASSWORD`).
   */
  static async start(options: { config?: string; env?: Record<string, string> } = {}): Promise<NatsServerProcess> {
    const storeDir = mkdtempSync(join(tmpdir(), 'enas-nats-'));
    let configFile: string | null = null;
    if (options.config !== undefined) {
      configFile = join(storeDir, 'nats.conf');
      writeFileSync(configFile, options.config, { mode: 0o600 });
    }
    const server = new NatsServerProcess(await freePort(), storeDir, true, configFile, options.env);
    await server.startAgain();
    return server;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  async startAgain(): Promise<void> {
    if (this.child) throw new Error('nats-server is already running');
    const bin = natsServerBinary();
    const args = [...(this.configFile ? ['-c', this.configFile] : []), '-js', '-a', '127.0.0.1', '-p', String(this.port), '-sd', this.storeDir];
    const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...this.env } });
    this.child = child;
    let log = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`nats-server did not start within 15 s:\n${log}`)), 15_000);
      child.once('error', (e) => {
        clearTimeout(timer);
        reject(new Error(`cannot run ${bin} (${e.message}): install nats-server (apt-get install nats-server) or set ENAS_NATS_SERVER_BIN`));
      });
      child.stderr!.on('data', (d: Buffer) => {
        log += d.toString();
        this.output += d.toString();
        if (log.includes('Server is ready')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`nats-server exited with ${code}:\n${log}`));
      });
    });
    child.stderr!.resume();
  }

  /** Stops the server (SIGTERM: a clean shutdown; SIGKILL: a crash). */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = null;
    if (child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  }

  async dispose(): Promise<void> {
    await this.stop();
    if (this.ownsStore) rmSync(this.storeDir, { recursive: true, force: true });
  }
}
