import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import type { ExperimentView } from '@dcl-enas/dashboard';

const root = resolve(__dirname, '..', '..', '..');
const ENAS = ['-r', './tools/register.cjs', 'apps/cli/src/main.ts'];

describe('enas search --ui', () => {
  it('serves the live dashboard of an embedded search, then stops on SIGINT', async () => {
    const child = spawn(process.execPath, [...ENAS, 'search', '--space', 'nb201', '--dataset', 'cifar10', '--strategy', 'rea', '--queries', '40', '--ui', '--ui-port', '0', '--pace', '20', '--json'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      const url = await until(() => /dashboard: (http:\/\/\S+)#(\S+)/.exec(stderr), 30_000, () => stderr);
      const [, base, id] = url;
      expect(id).toBe('rea-nb201-cifar10-seed0');
      const page = await (await fetch(base)).text();
      expect(page).toContain('<title>DCL-ENAS dashboard</title>');
      // Offline: nothing is loaded from elsewhere (only the SVG namespace appears as a URL).
      expect(page).not.toMatch(/<script[^>]+src=|<link[^>]+href=|https?:\/\/(?!www\.w3\.org)/);
      // Live: the view is readable while the search runs, and grows.
      const first = await until(async () => {
        const v = (await (await fetch(`${base}api/experiments/${id}`)).json()) as ExperimentView;
        return v.done > 0 && v.status === 'running' ? v : null;
      }, 30_000, () => stderr);
      const last = await until(async () => {
        const v = (await (await fetch(`${base}api/experiments/${id}`)).json()) as ExperimentView;
        return v.status === 'completed' ? v : null;
      }, 60_000, () => stderr);
      expect(last.done).toBe(40);
      expect(last.done).toBeGreaterThan(first.done);
      expect(last.curve).toHaveLength(40);
      expect(last.trials.every((t) => t.state === 'succeeded' && t.valAcc !== null && t.pod !== null)).toBe(true);
      expect(last.svg.curve).toContain('data-points="40"');
      expect(last.svg.cell).toContain('<circle');
      const out = JSON.parse(stdout.trim());
      expect(last.best!.arch).toBe(out.best.arch);
      expect(last.curve.map((p) => p.bestTestAcc)).toEqual(out.trajectory.map((p: { bestTestAcc: number }) => p.bestTestAcc));
      // An SSE stream answers with the current view at once.
      const res = await fetch(`${base}api/experiments/${id}/stream`);
      const reader = res.body!.getReader();
      const chunk = new TextDecoder().decode((await reader.read()).value);
      expect(chunk).toMatch(/^event: view\ndata: \{/);
      await reader.cancel();
      expect((await fetch(`${base}api/experiments/nope`)).status).toBe(404);
      expect(stderr).toContain('the dashboard stays at');
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('refuses a port in use with one line and exit code 2', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    try {
      const r = spawnSync(process.execPath, [...ENAS, 'search', '--space', 'nb201', '--dataset', 'cifar10', '--queries', '5', '--ui', '--ui-port', String(port)], { cwd: root, encoding: 'utf8' });
      expect(r.status).toBe(2);
      expect(r.stderr.trim().split('\n').filter((l) => l.includes(`port ${port} is in use`))).toHaveLength(1);
    } finally {
      blocker.close();
    }
  });
});

describe('enas search --out', () => {
  it('writes the dashboard drawings as SVG and PNG and puts them in report.html', () => {
    const out = mkdtempSync(join(tmpdir(), 'enas-search-out-'));
    const r = spawnSync(process.execPath, [...ENAS, 'search', '--space', 'nb201', '--dataset', 'cifar10', '--strategy', 'rea', '--queries', '30', '--seed', '2', '--out', out, '--json'], { cwd: root, encoding: 'utf8' });
    expect(r.status).toBe(0);
    const result = JSON.parse(r.stdout);
    for (const name of ['trials', 'cell']) {
      const svg = readFileSync(join(out, `${name}.svg`), 'utf8');
      expect(svg.startsWith('<svg')).toBe(true);
      const png = readFileSync(join(out, `${name}.png`));
      expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
      expect(png.readUInt32BE(16)).toBe(1280);
    }
    expect(readFileSync(join(out, 'trials.svg'), 'utf8')).toContain('data-points="30"');
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('<h2>Every trial</h2>');
    expect(html).toContain('<h2>Selected cell</h2>');
    expect(html).toContain(result.best.arch.replace(/\|/g, '|'));
    // rea uses no predictor: no ranking section, no ranking figure.
    expect(html).not.toContain('Predictor ranking quality');
    expect(() => readFileSync(join(out, 'ranking.svg'))).toThrow();
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
  });
});

async function until<T>(f: () => T | null | undefined | Promise<T | null | undefined>, timeoutMs: number, context: () => string): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms:\n${context().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
