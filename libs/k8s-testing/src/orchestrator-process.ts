import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ExperimentDetail, decode } from '@dcl-enas/contracts';
import { TEST_NAMESPACE } from './test-namespace';
import type { KubeApiStandin } from './standin-api-server';

export const REPO_ROOT = join(__dirname, '..', '..', '..');
export const REGISTER = ['-r', './tools/register.cjs'];
const run = promisify(execFile);

/** The environment of this test process without settings that would leak into the children. */
export function baseEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith('ENAS_') || name.startsWith('NATS_') || name.startsWith('KUBERNETES_')) delete env[name];
  delete env['KUBECONFIG'];
  return env;
}

/** `enas ARGS` as a user runs it: exit code and output. */
export async function enasCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [...REGISTER, 'apps/cli/src/main.ts', ...args], { cwd: REPO_ROOT, env: baseEnv(), maxBuffer: 64 << 20 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

/** A kubeconfig file pointing at `server` (no credentials), current namespace TEST_NAMESPACE. */
export function kubeconfigFile(dir: string, server: string, name: string): string {
  const file = join(dir, `kubeconfig-${name}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'standin', cluster: { server, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'anonymous', user: {} }],
      contexts: [{ name: 'standin', context: { cluster: 'standin', user: 'anonymous', namespace: TEST_NAMESPACE } }],
      'current-context': 'standin',
    }),
  );
  return file;
}

/** `enas serve orchestrator` with ENAS_TRIAL_LAUNCHER=kubernetes on the stand-in API server. */
export class OrchestratorProcess {
  output = '';
  readonly exited: Promise<number | null>;
  private constructor(
    readonly child: ChildProcess,
    readonly api: string,
  ) {
    child.stdout!.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (this.output += d.toString()));
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  /** Starts it; resolves once it is ready. `env` holds its NATS login and launcher settings. */
  static async start(options: { standin: KubeApiStandin; natsUrl: string; port: number; dir: string; env: Record<string, string> }): Promise<OrchestratorProcess> {
    const kubeconfig = kubeconfigFile(options.dir, options.standin.url, String(options.port));
    const child = spawn(process.execPath, [...REGISTER, 'apps/cli/src/main.ts', 'serve', 'orchestrator', '--nats', options.natsUrl], {
      cwd: REPO_ROOT,
      env: { ...baseEnv(), KUBECONFIG: kubeconfig, ENAS_HTTP_PORT: String(options.port), ENAS_TRIAL_LAUNCHER: 'kubernetes', ENAS_K8S_PENDING_CHECK_MS: '100', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const orchestrator = new OrchestratorProcess(child, `http://127.0.0.1:${options.port}`);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`orchestrator not ready in 60 s:\n${orchestrator.output}`)), 60_000);
      child.stdout!.on('data', () => {
        if (orchestrator.output.includes('"msg":"orchestrator ready"')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`orchestrator exited with ${code}:\n${orchestrator.output}`));
      });
    });
    return orchestrator;
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill(signal);
    await this.exited;
  }

  /** POST /experiments: the id, or throws with the status and body. */
  async submit(spec: Record<string, unknown>): Promise<string> {
    const res = await this.post(spec);
    const body = (await res.json()) as { id: string };
    if (res.status !== 201) throw new Error(`submit failed (${res.status}): ${JSON.stringify(body)}`);
    return body.id;
  }

  post(spec: Record<string, unknown>): Promise<Response> {
    return fetch(`${this.api}/experiments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ apiVersion: 'enas/v1', kind: 'Experiment', ...spec }) });
  }

  async detail(id: string): Promise<ExperimentDetail> {
    const res = await fetch(`${this.api}/experiments/${id}`);
    return decode(ExperimentDetail, await res.json(), 'GET /experiments/:id');
  }

  async waitFor(id: string, what: string, done: (x: ExperimentDetail) => boolean, timeoutMs = 120_000): Promise<ExperimentDetail> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const x = await this.detail(id);
      if (done(x)) return x;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}; last seen ${JSON.stringify({ status: x.status, done: x.queriesDone, launcher: x.launcher })}\n${this.output.split('\n').slice(-20).join('\n')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
