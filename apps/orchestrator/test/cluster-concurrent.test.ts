import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientProxyFactory, Transport } from '@nestjs/microservices';
import { EventLog, RpcClient } from '@dcl-enas/cluster';
import { FitReply, RankReply, STREAMS, SUBJECTS, DeadLetter, type ExperimentEvent } from '@dcl-enas/contracts';
import { experimentSpecWithTrialTemplateJsonSchema } from '@dcl-enas/k8s-launcher';
import { Rng } from '@dcl-enas/common';
import { nb201Space } from '@dcl-enas/spaces';
import { auditLog } from '@dcl-enas/search';
import { Cluster, ROOT, SMALL_GNN, embedded } from './cluster-harness';

const run = promisify(execFile);

/** `enas ...` as a user runs it; resolves with exit code and output instead of throwing. */
async function enas(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, ['-r', './tools/register.cjs', 'apps/cli/src/main.ts', ...args], { cwd: ROOT, env: { ...process.env, ...env } });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('the services under several experiments and bad input', () => {
  let cluster: Cluster;
  const dir = mkdtempSync(join(tmpdir(), 'enas-specs-'));

  beforeAll(async () => {
    cluster = await Cluster.start();
    // This cluster ranks with the graph network of libs/predictor (small, so that it trains in seconds).
    const gnn = { ENAS_PREDICTOR_ENGINE: 'gnn', ENAS_GNN_CONFIG: JSON.stringify(SMALL_GNN), ENAS_REQUEST_TIMEOUT_MS: '60000' };
    await Promise.all([cluster.serve('orchestrator', gnn), cluster.serve('trainer', { ENAS_TRAINER_CONCURRENCY: '2' }), cluster.serve('trainer'), cluster.serve('predictor', gnn), cluster.serve('encoder', gnn)]);
  });
  afterAll(async () => {
    await cluster?.dispose();
  });

  it('runs three experiments at once (dcl-enas with the GNN predictor), each equal to its embedded search, and applies a duplicate result once', async () => {
    const specs = [
      { space: 'nb201', dataset: 'cifar10', strategy: 'rea', seed: 1, queries: 60, batchSize: 1 },
      { space: 'nb201', dataset: 'cifar100', strategy: 'random', seed: 2, queries: 40, batchSize: 3 },
      { space: 'nb201', dataset: 'imagenet16-120', strategy: 'dcl-enas', seed: 5, queries: 50, batchSize: 5 },
    ];
    const file = join(dir, 'rea.yaml');
    writeFileSync(file, ['apiVersion: enas/v1', 'kind: Experiment', ...Object.entries(specs[0]).map(([k, v]) => `${k}: ${v}`)].join('\n') + '\n');
    const [submitted, second, third] = await Promise.all([enas(['submit', file, '--api', cluster.api]), cluster.submit(specs[1]), cluster.submit(specs[2])]);
    expect(submitted.stderr).toMatch(/submitted rea on nb201\/cifar10/);
    expect(submitted.code).toBe(0);
    const ids = [submitted.stdout.trim(), second, third];
    const watching = enas(['watch', third, '--api', cluster.api]); // live, from the start

    // A result delivered twice (as after a trainer acked too late): a copy that would change the search if applied.
    await cluster.waitFor(ids[0], (x) => x.queriesDone >= 10);
    const log = await EventLog.open(await cluster.connection(), null);
    const first = (await cluster.events(ids[0])).find((e): e is Extract<ExperimentEvent, { type: 'result' }> => e.type === 'result')!;
    await log.append(ids[0], { ...first, outcome: { valAcc: 99.9, testAcc: 99.9, trainSeconds: 1 }, attempt: 2 });

    for (const [i, id] of ids.entries()) {
      const done = await cluster.waitFor(id, (x) => x.status === 'completed' || x.status === 'failed', 90_000);
      expect(done.status).toBe('completed');
      const expected = await embedded(specs[i], SMALL_GNN);
      expect(done.trajectory).toEqual(expected.trajectory);
      expect(done.best?.key).toBe(expected.best.key);
      const audit = auditLog(await cluster.events(id));
      expect(audit.lost).toEqual([]);
      expect(audit.trainedTwice).toEqual(i === 0 ? [first.key] : []);
    }

    const watched = await watching;
    expect(watched.code).toBe(0);
    // The state when watching began, then every later trial in order.
    const seenBefore = Number(/: (?:queued|running|completed), (\d+)\/50 trained/.exec(watched.stdout)?.[1]);
    const queries = [...watched.stdout.matchAll(/^query (\d+)\/50 /gm)].map((m) => Number(m[1]));
    expect(queries).toEqual(Array.from({ length: 50 - seenBefore }, (_, i) => seenBefore + 1 + i));
    expect(watched.stdout).toMatch(/status completed[\s\S]*selected {4}\|/);

    const listed = (await (await fetch(`${cluster.api}/experiments`)).json()) as { id: string; status: string }[];
    expect(listed.filter((x) => ids.includes(x.id)).map((x) => x.status)).toEqual(['completed', 'completed', 'completed']);
    expect(await (await fetch(`${cluster.api}/schema/experiment`)).json()).toEqual(experimentSpecWithTrialTemplateJsonSchema());

    const status = await enas(['status', ids[2], '--json'], { ENAS_API_URL: cluster.api });
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ id: ids[2], status: 'completed', queriesDone: 50 });
    const finished = await enas(['watch', ids[1], '--api', cluster.api]);
    expect(finished.code).toBe(0);
    expect(finished.stdout).toMatch(/completed, 40\/40 trained[\s\S]*status completed/);
  });

  it('a restarted orchestrator resumes every experiment that was running', async () => {
    const specs = [
      { space: 'nb201', dataset: 'cifar10', strategy: 'rea', seed: 21, queries: 40, batchSize: 2 },
      { space: 'nb201', dataset: 'cifar100', strategy: 'random', seed: 22, queries: 40, batchSize: 1 },
    ];
    const ids = await Promise.all(specs.map((s) => cluster.submit(s)));
    await Promise.all(ids.map((id) => cluster.waitFor(id, (x) => x.queriesDone >= 5)));
    await cluster.services.find((s) => s.name === 'orchestrator')!.kill('SIGKILL');
    await cluster.serve('orchestrator');
    for (const [i, id] of ids.entries()) {
      const done = await cluster.waitFor(id, (x) => x.status === 'completed');
      expect(done.trajectory).toEqual((await embedded(specs[i])).trajectory);
      expect(auditLog(await cluster.events(id))).toMatchObject({ trainedTwice: [], lost: [], proposedTwice: [] });
    }
  });

  it('refuses bad messages with a reason, dead-letters them, and keeps serving', async () => {
    const client = ClientProxyFactory.create({ transport: Transport.NATS, options: { servers: [cluster.nats.url], ...cluster.users.login('observer') } });
    const rpc = new RpcClient(client, 5000);
    const session = { id: 'bad-input', space: 'nb201', variant: 'dcl', seed: 0 };
    const arch = '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|';
    try {
      const rng = Rng.seeded(1);
      const labelled = Array.from({ length: 12 }, (_, i) => {
        const a = nb201Space.sample(rng);
        return { arch: nb201Space.format(a), key: nb201Space.key(a), valAcc: 50 + i };
      });
      const { model } = await rpc.request(SUBJECTS.predictorFit, { session, version: 1, previous: null, observations: { inline: labelled } }, FitReply);
      await expect(rpc.request(SUBJECTS.predictorRank, { session, model, archs: { inline: [] } }, RankReply)).rejects.toThrow(/archs.inline: .*>=\s*1/);
      await expect(rpc.request('enas.v2.predictor.rank', { session, model, archs: { inline: [arch] } }, RankReply)).rejects.toThrow(/unknown protocol version "v2"/);
      const huge = Array.from({ length: 3500 }, () => arch);
      await expect(rpc.request(SUBJECTS.predictorRank, { session, model, archs: { inline: huge } }, RankReply)).rejects.toThrow(/exceeds ENAS_MAX_MESSAGE_BYTES=262144/);
      await expect(rpc.request(SUBJECTS.predictorRank, { session, model, archs: { inline: ['not-a-cell'] } }, RankReply)).rejects.toThrow(/nb201|cell|architecture/i);
      const ok = await rpc.request(SUBJECTS.predictorRank, { session, model, archs: { inline: [arch, arch] } }, RankReply);
      expect('inline' in ok.scores && ok.scores.inline).toHaveLength(2);
    } finally {
      await rpc.close();
    }

    const nc = await cluster.connection();
    const js = nc.jetstream();
    await js.publish(SUBJECTS.trial('garbage', 0), new TextEncoder().encode('{"experimentId": 3'));
    await js.publish(SUBJECTS.trial('garbage', 1), new TextEncoder().encode(JSON.stringify({ experimentId: 'garbage', index: 1 })));
    const letters = async () => {
      const jsm = await nc.jetstreamManager();
      const n = (await jsm.streams.info(STREAMS.deadLetter)).state.last_seq;
      const out: DeadLetter[] = [];
      for (let seq = 1; seq <= n; seq++) out.push(DeadLetter.parse(JSON.parse(new TextDecoder().decode((await jsm.streams.getMessage(STREAMS.deadLetter, { seq })).data))));
      return out;
    };
    await expect.poll(async () => (await letters()).filter((l) => l.service === 'trainer').length, { timeout: 10_000 }).toBe(2);
    const all = await letters();
    expect(all.find((l) => l.subject === SUBJECTS.trial('garbage', 0))?.reason).toMatch(/not JSON/);
    expect(all.find((l) => l.subject === SUBJECTS.trial('garbage', 1))?.reason).toMatch(/trial .*: (space|dataset|arch|key)/);
    expect(all.filter((l) => l.service === 'predictor').map((l) => l.reason).join('\n')).toMatch(/archs[\s\S]*unknown protocol version[\s\S]*exceeds/);

    // The trainers still train: a new experiment completes.
    const id = await cluster.submit({ space: 'nb201', dataset: 'cifar10', strategy: 'random', seed: 3, queries: 5 });
    expect((await cluster.waitFor(id, (x) => x.status === 'completed')).queriesDone).toBe(5);
  });

  it('answers a bad spec with the field and the problem', async () => {
    const res = await fetch(`${cluster.api}/experiments`, { method: 'POST', headers: { 'content-type': 'application/yaml' }, body: 'apiVersion: enas/v1\nkind: Experiment\nspace: nb201\ndataset: cifar10\nstrategy: rea\nqueries: 0\n' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/queries: .*>=\s*1/);
    const unknown = await fetch(`${cluster.api}/experiments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ apiVersion: 'enas/v1', kind: 'Experiment', space: 'nb201', dataset: 'svhn', strategy: 'rea', queries: 5 }) });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { error: string }).error).toMatch(/dataset: unknown dataset "svhn"/);
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'apiVersion: enas/v1\nkind: Experiment\nspace: nb201\n');
    const cli = await enas(['submit', bad, '--api', cluster.api]);
    expect(cli.code).toBe(2);
    expect(cli.stderr.trim().split('\n')).toHaveLength(1);
    expect(cli.stderr).toMatch(/bad\.yaml: dataset: /);
    expect((await enas(['status', 'no-such-id', '--api', cluster.api])).stderr).toMatch(/no experiment with id "no-such-id"/);
  });

  it('stops an experiment and withdraws its waiting trials', async () => {
    const id = await cluster.submit({ space: 'nb201', dataset: 'cifar10', strategy: 'random', seed: 4, queries: 4000, batchSize: 8 });
    await cluster.waitFor(id, (x) => x.queriesDone >= 8);
    const stopped = await enas(['stop', id, '--api', cluster.api]);
    expect(stopped.code).toBe(0);
    const x = await cluster.waitFor(id, (d) => d.status === 'stopped');
    expect(x.queriesDone).toBeLessThan(4000);
    const jsm = await (await cluster.connection()).jetstreamManager();
    const left = await jsm.streams.info(STREAMS.trials, { subjects_filter: SUBJECTS.trialsOf(id) });
    expect(Object.keys(left.state.subjects ?? {})).toEqual([]);
    const events = await cluster.events(id);
    const end = events.findIndex((e) => e.type === 'ended');
    expect(events[end]).toMatchObject({ type: 'ended', status: 'stopped', reason: 'stopped by request' });
    // Only trials already with a trainer (3 at most here) may still finish after the stop.
    expect(events.slice(end + 1).filter((e) => e.type === 'result').length).toBeLessThanOrEqual(3);
  });
});

describe('service configuration', () => {
  it('refuses to start with one line per bad setting', async () => {
    const r = await enas(['serve', 'trainer'], { NATS_URL: 'http://nowhere', ENAS_TRAINER_CONCURRENCY: '0', NATS_TOKEN: 't', NATS_USER: 'u', NATS_PASSWORD: 'p' });
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toBe('enas: invalid configuration:');
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(/NATS_URL: "http:\/\/nowhere" is not a NATS server address/),
      expect.stringMatching(/NATS_USER\/NATS_PASSWORD, NATS_TOKEN: choose one authentication method/),
      expect.stringMatching(/ENAS_TRAINER_CONCURRENCY=0 is not valid/),
    ]);
    expect((await enas(['serve', 'scheduler'])).stderr).toMatch(/unknown service "scheduler": use one of orchestrator, encoder, predictor, trainer/);
  });
});
