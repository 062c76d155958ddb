import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster, ROOT } from './cluster-harness';

const run = promisify(execFile);

/**
 * A user's own problem in cluster mode: a declared space and a trial command that trainer
 * workers run in their pod (trial protocol v1). The same spec gives the same selected
 * architecture and trajectory as `enas search --spec` in one process (batch size 1, parallel 1);
 * a predictor-guided strategy runs on it too: the predictor and encoder services get the
 * declared space from the session, not by a name they would not know.
 */
describe('trial commands through trainer workers', () => {
  let cluster: Cluster;
  const dir = mkdtempSync(join(tmpdir(), 'enas-cluster-commands-'));
  const script = join(dir, 'trial.sh');
  writeFileSync(
    script,
    [
      '#!/usr/bin/env bash',
      'set -eu',
      'convs=$(grep -o conv3 <<< "$ENAS_ARCH" | wc -l)',
      'pools=$(grep -o pool <<< "$ENAS_ARCH" | wc -l)',
      'if [ "$pools" -ge 2 ]; then echo "too many pools" >&2; exit 1; fi',
      'echo "enas-result {\\"score\\": $((convs * 10 + pools)), \\"convs\\": $convs}"',
    ].join('\n'),
  );
  const spec = {
    name: 'user-cell',
    space: { type: 'cell', name: 'user-cell', nodes: 4, ops: ['none', 'skip', 'conv3', 'pool'] },
    dataset: 'synthetic',
    strategy: 'rea',
    seed: 2,
    queries: 26,
    batchSize: 1,
    trial: { command: ['bash', script], parallel: 1, maxFailedTrials: 26 },
    objective: { metric: 'score', goal: 'maximize' },
  };

  beforeAll(async () => {
    cluster = await Cluster.start();
    const trialRoot = join(dir, 'trainer-trials');
    await Promise.all([cluster.serve('orchestrator'), cluster.serve('trainer', { ENAS_TRIAL_ROOT: trialRoot }), cluster.serve('predictor'), cluster.serve('encoder')]);
  }, 120_000);
  afterAll(async () => {
    await cluster?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives the selected architecture and trajectory of `enas search --spec`, failed trials included', async () => {
    const specFile = join(dir, 'spec.json');
    writeFileSync(specFile, JSON.stringify({ apiVersion: 'enas/v1', kind: 'Experiment', ...spec }));
    const local = run(process.execPath, ['-r', './tools/register.cjs', 'apps/cli/src/main.ts', 'search', '--spec', specFile, '--out', join(dir, 'embedded'), '--json'], { cwd: ROOT });
    const id = await cluster.submit(spec as never);
    const done = await cluster.waitFor(id, (x) => x.status !== 'running' && x.status !== 'queued', 120_000);
    expect(done.status).toBe('completed');
    const embedded = JSON.parse((await local).stdout) as { best: { arch: string; key: string; valAcc: number }; trajectory: unknown[]; failedTrials: { index: number }[] };
    expect(done.best).toMatchObject({ arch: embedded.best.arch, key: embedded.best.key, valAcc: embedded.best.valAcc });
    expect(done.trajectory).toEqual(embedded.trajectory);
    expect(embedded.failedTrials.length).toBeGreaterThan(0);
    expect(JSON.stringify(done.failedTrials)).toBe(JSON.stringify(embedded.failedTrials));
    expect(readdirSync(join(dir, 'trainer-trials', id)).length).toBe(26);
  }, 180_000);

  it('runs a predictor-guided search on the declared space: the predictor service ranks it', async () => {
    const steady = join(dir, 'steady.sh');
    writeFileSync(steady, 'echo "enas-result {\\"score\\": $(grep -o conv3 <<< "$ENAS_ARCH" | wc -l)}"\n');
    const id = await cluster.submit({ ...spec, name: 'user-cell-dcl', strategy: 'dcl-enas', queries: 30, trial: { command: ['bash', steady] } } as never);
    const done = await cluster.waitFor(id, (x) => x.status !== 'running' && x.status !== 'queued', 120_000);
    expect(done.status).toBe('completed');
    const proposed = (await cluster.events(id)).flatMap((e) => (e.type === 'proposed' ? e.trials : []));
    expect(proposed).toHaveLength(30);
    expect(proposed.filter((t) => t.prediction).length).toBeGreaterThanOrEqual(5); // the cycles after the 20 random ones
  }, 180_000);
});
