import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, connect, nkeyAuthenticator, nkeys, type ConnectionOptions, type NatsConnection, type NatsError } from 'nats';
import { NatsServerProcess, SERVICE_NAMES, connectNats, freePort, natsAuthorizationConf, trainerConfig, type ServiceName } from '@dcl-enas/cluster';
import { buildTrialJob, parseTrialTemplate } from '@dcl-enas/k8s-launcher';
import { STREAMS } from '@dcl-enas/contracts';
import { ROOT, ServiceProcess } from './cluster-harness';

/**
 * NATS TLS and NKeys (docs/security.md, "Credentials and TLS"), with real parts: a throwaway CA
 * and certificates made by openssl, nats-server started with TLS (then mutual TLS) or with NKey
 * users holding the services' permissions, and the services as real `enas serve` processes
 * configured only through their environment. Also: a service whose start-up fails after it
 * connected (JetStream refuses its streams, its HTTP port is taken) exits with one line.
 */
const dir = mkdtempSync(join(tmpdir(), 'enas-tls-'));
const servers: NatsServerProcess[] = [];
const services: ServiceProcess[] = [];
const connections: NatsConnection[] = [];

const file = (name: string) => join(dir, name);

function openssl(...args: string[]): void {
  const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${r.stderr}`);
}

/** A CA, a server certificate for 127.0.0.1 and a client certificate, signed by the CA; and a second CA nobody uses. */
function makePki(): void {
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=enas test CA');
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'other-ca.key', '-out', 'other-ca.pem', '-days', '1', '-subj', '/CN=some other CA');
  writeFileSync(file('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  writeFileSync(file('client.ext'), 'extendedKeyUsage=clientAuth\n');
  for (const [name, subject] of [['server', '/CN=127.0.0.1'], ['client', '/CN=enas-trainer']] as const) {
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject);
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '1', '-extfile', `${name}.ext`);
  }
}

const tlsBlock = (verify: boolean) => `tls {\n  cert_file: ${JSON.stringify(file('server.pem'))}\n  key_file: ${JSON.stringify(file('server.key'))}\n  ca_file: ${JSON.stringify(file('ca.pem'))}\n  verify: ${verify}\n  timeout: 5\n}\n`;

async function natsServer(config: string): Promise<NatsServerProcess> {
  const s = await NatsServerProcess.start({ config });
  servers.push(s);
  return s;
}

/** `enas serve SERVICE` with only the test's settings (no NATS settings inherited from this shell). */
function spawnService(service: ServiceName, natsUrl: string, env: Record<string, string>): ServiceProcess {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('NATS_')));
  const child = spawn(process.execPath, ['-r', './tools/register.cjs', 'apps/cli/src/main.ts', 'serve', service, '--nats', natsUrl], {
    cwd: ROOT,
    env: { ...inherited, ENAS_PREDICTOR_ENGINE: 'ridge', ENAS_TRIAL_ACK_WAIT_MS: '1500', ENAS_TRAINER_TIME_SCALE: '0.0005', ENAS_REQUEST_TIMEOUT_MS: '10000', ENAS_LOG_LEVEL: 'debug', ENAS_HTTP_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const p = new ServiceProcess(service, child);
  services.push(p);
  return p;
}

async function serve(service: ServiceName, natsUrl: string, env: Record<string, string>): Promise<ServiceProcess> {
  const p = spawnService(service, natsUrl, env);
  await p.ready(90_000);
  return p;
}

/** A service that must not start: its exit code (within 60 s, or null if it hung) and its stderr lines. */
async function failedStart(service: ServiceName, natsUrl: string, env: Record<string, string>): Promise<{ code: number | null; lines: string[]; output: string }> {
  let stderr = '';
  const p = spawnService(service, natsUrl, env);
  p.child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await Promise.race([p.exited, new Promise<null>((r) => setTimeout(() => r(null), 60_000))]);
  await p.kill();
  return { code, lines: stderr.trim().split('\n'), output: p.output };
}

async function client(options: ConnectionOptions): Promise<NatsConnection> {
  const nc = await connect({ reconnect: false, maxReconnectAttempts: 0, timeout: 5000, ...options });
  connections.push(nc);
  return nc;
}

async function refused(options: ConnectionOptions): Promise<NatsError & { code: string }> {
  const e = await client(options).then(
    () => null,
    (error: unknown) => error as NatsError & { code: string },
  );
  expect(e, `connected with ${JSON.stringify(options)}`).not.toBeNull();
  return e!;
}

/** Runs a small experiment through an orchestrator (HTTP on apiPort) and a trainer: all its trials done. */
async function experimentCompletes(apiPort: number): Promise<void> {
  const api = `http://127.0.0.1:${apiPort}`;
  const res = await fetch(`${api}/experiments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ apiVersion: 'enas/v1', kind: 'Experiment', space: 'nb201', dataset: 'cifar10', strategy: 'rea', seed: 4, queries: 8, batchSize: 2 }) });
  const body = (await res.json()) as { id: string };
  expect(res.status, JSON.stringify(body)).toBe(201);
  const end = Date.now() + 90_000;
  for (;;) {
    const x = (await (await fetch(`${api}/experiments/${body.id}`)).json()) as { status: string; queriesDone: number };
    if (x.status !== 'running' && x.status !== 'queued') {
      expect(x).toMatchObject({ status: 'completed', queriesDone: 8 });
      return;
    }
    if (Date.now() > end) throw new Error(`experiment stuck at ${JSON.stringify(x)}\n${services.map((s) => s.output.split('\n').slice(-8).join('\n')).join('\n')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(() => makePki());

afterAll(async () => {
  await Promise.all(connections.map((c) => c.close().catch(() => undefined)));
  await Promise.all(services.map((s) => s.kill('SIGKILL')));
  await Promise.all(servers.map((s) => s.dispose()));
  rmSync(dir, { recursive: true, force: true });
});

describe('NATS over TLS', () => {
  let tls: NatsServerProcess;
  beforeAll(async () => {
    tls = await natsServer(tlsBlock(false));
  });

  it('services with NATS_TLS_CA_FILE (nats:// or tls:// URL) run an experiment over TLS', async () => {
    const apiPort = await freePort();
    await Promise.all([
      serve('orchestrator', tls.url, { NATS_TLS_CA_FILE: file('ca.pem'), ENAS_HTTP_PORT: String(apiPort) }),
      serve('trainer', tls.url.replace('nats://', 'tls://'), { NATS_TLS_CA_FILE: file('ca.pem') }),
    ]);
    await experimentCompletes(apiPort);
    // a client with the CA gets in, and the server says TLS is required of everyone
    const nc = await client({ servers: tls.url, tls: { caFile: file('ca.pem') } });
    expect(nc.info?.tls_required).toBe(true);
  }, 180_000);

  it('refuses clients that cannot verify the server: no CA, the system CAs, another CA; such a service exits with one line', async () => {
    for (const options of [{}, { tls: {} }, { tls: { caFile: file('other-ca.pem') } }] as ConnectionOptions[]) {
      const e = await refused({ servers: tls.url, ...options });
      expect(e.code).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT/);
    }
    for (const env of [{ NATS_TLS: 'true' }, { NATS_TLS_CA_FILE: file('other-ca.pem') }, {}] as Record<string, string>[]) {
      const r = await failedStart('trainer', tls.url, env);
      expect(r.code, r.output).toBe(1);
      expect(r.lines, r.output).toHaveLength(1);
      expect(r.lines[0]).toMatch(/^enas: NATS refused the connection to nats:\/\/127\.0\.0\.1:\d+: unable to verify the first certificate \(.*docs\/security\.md\)$/);
    }
    // TLS asked of a server that does not offer it
    const plain = await natsServer('');
    const r = await failedStart('encoder', plain.url, { NATS_TLS_CA_FILE: file('ca.pem') });
    expect(r.code, r.output).toBe(1);
    expect(r.lines).toEqual([expect.stringMatching(/NATS refused the connection .*: TLS is on here but the server does not offer it/)]);
  }, 180_000);

  it('mutual TLS: a service with NATS_TLS_CERT_FILE/NATS_TLS_KEY_FILE gets in, a client without a certificate does not', async () => {
    const mtls = await natsServer(tlsBlock(true));
    await serve('trainer', mtls.url, { NATS_TLS_CA_FILE: file('ca.pem'), NATS_TLS_CERT_FILE: file('client.pem'), NATS_TLS_KEY_FILE: file('client.key') });
    const nc = await client({ servers: mtls.url, tls: { caFile: file('ca.pem'), certFile: file('client.pem'), keyFile: file('client.key') } });
    await nc.flush();
    await refused({ servers: mtls.url, tls: { caFile: file('ca.pem') } });
    const half = await failedStart('trainer', mtls.url, { NATS_TLS_CA_FILE: file('ca.pem'), NATS_TLS_CERT_FILE: file('client.pem') });
    expect(half.code).toBe(2);
    expect(half.lines).toEqual(['enas: invalid configuration:', expect.stringMatching(/NATS_TLS_CERT_FILE and NATS_TLS_KEY_FILE: set both or neither/)]);
  }, 180_000);
});

describe('NKeys', () => {
  const users = Object.fromEntries(SERVICE_NAMES.map((s) => [s, nkeys.createUser()])) as Record<ServiceName, ReturnType<typeof nkeys.createUser>>;
  const seed = (s: ServiceName) => new TextDecoder().decode(users[s].getSeed());
  const seedFile = (name: string, content: string) => {
    writeFileSync(file(name), `${content}\n`, { mode: 0o600 });
    return file(name);
  };
  let server: NatsServerProcess;
  /** Publishes to `subject`, which this connection's user may not, and waits for the server to log the violation. */
  const expectPublishRefused = async (nc: NatsConnection, subject: string) => {
    nc.publish(subject, new TextEncoder().encode('{}'));
    await nc.flush();
    await expect.poll(() => server.output, { timeout: 5000 }).toMatch(new RegExp(`Publish Violation - .*"${subject.replace(/\./g, '\\.')}"`));
  };
  beforeAll(async () => {
    // the services' least-privilege permissions, each user identified by its public NKey
    server = await natsServer(natsAuthorizationConf((s) => ({ nkey: users[s].getPublicKey() })));
  });

  it('orchestrator and trainer log in with NATS_NKEY_SEED_FILE and run an experiment under their permissions, without a violation', async () => {
    const apiPort = await freePort();
    await Promise.all([
      serve('orchestrator', server.url, { NATS_NKEY_SEED_FILE: seedFile('orchestrator.nk', seed('orchestrator')), ENAS_HTTP_PORT: String(apiPort) }),
      serve('trainer', server.url, { NATS_NKEY_SEED_FILE: seedFile('trainer.nk', seed('trainer')) }),
    ]);
    await experimentCompletes(apiPort);
    expect(server.output).not.toMatch(/Violation/);
    // the trainer's NKey carries the trainer's permissions: no proposing trials
    const trainer = await client({ servers: server.url, authenticator: nkeyAuthenticator(users.trainer.getSeed()), inboxPrefix: '_INBOX_trainer' });
    await expectPublishRefused(trainer, 'enas.v1.trials.x1.0');
  }, 180_000);

  it('refuses a wrong seed (a client, and a service: exit 1, one line, the seed never printed), and no credentials at all', async () => {
    const stranger = nkeys.createUser();
    expect((await refused({ servers: server.url, authenticator: nkeyAuthenticator(stranger.getSeed()) })).code).toBe(ErrorCode.AuthorizationViolation);
    expect((await refused({ servers: server.url })).code).toBe(ErrorCode.AuthorizationViolation);
    const wrong = new TextDecoder().decode(stranger.getSeed());
    const r = await failedStart('trainer', server.url, { NATS_NKEY_SEED_FILE: seedFile('stranger.nk', wrong) });
    expect(r.code, r.output).toBe(1);
    expect(r.lines).toEqual([expect.stringMatching(/^enas: NATS refused the connection to .*: Authorization Violation \(check NATS_NKEY_SEED_FILE; /)]);
    expect(r.output).not.toContain(wrong);
    // another service's seed is someone else's identity: it logs in, with that service's rights only
    const asEncoder = await client({ servers: server.url, authenticator: nkeyAuthenticator(users.encoder.getSeed()), inboxPrefix: '_INBOX_encoder' });
    await expectPublishRefused(asEncoder, 'enas.v1.events.x2.result.0');
  }, 120_000);

  it('a seed file that holds no user seed is a configuration error (exit 2) naming the file, not its content', async () => {
    // one character of the key changed (not the last one: it carries padding bits): the checksum no longer matches
    const s = seed('trainer');
    const broken = `${s.slice(0, 20)}${s[20] === 'A' ? 'B' : 'A'}${s.slice(21)}`;
    for (const content of [broken, users.trainer.getPublicKey(), 'hunter2']) {
      const r = await failedStart('trainer', server.url, { NATS_NKEY_SEED_FILE: seedFile('bad.nk', content) });
      expect(r.code, r.output).toBe(2);
      expect(r.lines).toEqual(['enas: invalid configuration:', expect.stringMatching(/NATS_NKEY_SEED_FILE=.*bad\.nk: the file does not hold an NKey user seed/)]);
      expect(r.output).not.toContain(content);
    }
  }, 120_000);
});

describe('trial Jobs (launcher mode kubernetes)', () => {
  it("the trial template's nats.tls and nats.nkeySeedSecret give the trainer a working mutual TLS + NKey login", async () => {
    const trainerKey = nkeys.createUser();
    const server = await natsServer(`${tlsBlock(true)}${natsAuthorizationConf(() => ({ nkey: trainerKey.getPublicKey() }), ['trainer'])}`);
    const template = parseTrialTemplate({ image: 'trainer:1', nats: { url: server.url, nkeySeedSecret: { name: 'nats-nkeys', key: 'trainer' }, tls: { secretName: 'nats-tls', clientCertificate: true } } });
    const job = buildTrialJob(template, { experimentId: 'e1', trialId: '0', attempt: 1, namespace: 'ns' });
    // play the kubelet: project the Secrets' keys into files under the pod's mount paths
    const secretData: Record<string, Record<string, string>> = {
      'nats-nkeys': { trainer: new TextDecoder().decode(trainerKey.getSeed()) },
      'nats-tls': { 'ca.crt': readFileSync(file('ca.pem'), 'utf8'), 'tls.crt': readFileSync(file('client.pem'), 'utf8'), 'tls.key': readFileSync(file('client.key'), 'utf8') },
    };
    const root = file('pod');
    const spec = job.spec!.template.spec!;
    const container = spec.containers[0]!;
    for (const mount of container.volumeMounts ?? []) {
      const secret = spec.volumes!.find((v) => v.name === mount.name)?.secret;
      if (!secret) continue;
      mkdirSync(join(root, mount.mountPath), { recursive: true });
      for (const item of secret.items ?? []) writeFileSync(join(root, mount.mountPath, item.path), secretData[secret.secretName!]![item.key]!);
    }
    const env = Object.fromEntries((container.env ?? []).filter((v) => v.value !== undefined).map((v) => [v.name, v.value!.startsWith('/var/run/secrets/') ? join(root, v.value!) : v.value!]));
    expect(Object.keys(env)).toEqual(expect.arrayContaining(['NATS_NKEY_SEED_FILE', 'NATS_TLS_CA_FILE', 'NATS_TLS_CERT_FILE', 'NATS_TLS_KEY_FILE']));
    // the trainer's own configuration reader and connection, as job mode uses them
    const config = trainerConfig({ ...env, ENAS_DATA_DIR: '' });
    expect(config.nats.auth.kind).toBe('nkey');
    const nc = await connectNats(config.nats, 'trial-job');
    connections.push(nc);
    await nc.flush();
    expect(nc.info?.tls_required).toBe(true);
  }, 60_000);
});

describe('a server not up yet', () => {
  it('is waited for (services start in any order): not a refusal', async () => {
    const later = await natsServer('');
    await later.stop();
    const trainer = spawnService('trainer', later.url, {});
    await expect.poll(() => trainer.output, { timeout: 30_000 }).toMatch(/"msg":"NATS not reachable yet, still trying"/);
    await new Promise((r) => setTimeout(r, 1500));
    expect(trainer.child.exitCode).toBeNull();
    await later.startAgain();
    await expect.poll(() => trainer.output, { timeout: 60_000 }).toMatch(/"msg":"trainer ready"/);
  }, 120_000);
});

describe('a start-up that fails after connecting', () => {
  it('ends every service with one line and exit 1: JetStream refuses replicated streams on a single server', async () => {
    const single = await natsServer('');
    const results = await Promise.all((['orchestrator', 'encoder', 'predictor', 'trainer'] as const).map((s) => failedStart(s, single.url, { ENAS_JS_REPLICAS: '3' })));
    for (const r of results) {
      expect(r.code, r.output).toBe(1);
      expect(r.lines).toEqual([expect.stringMatching(/^enas: JetStream refused the streams, KV bucket or object stores: replicas > 1 not supported in non-clustered mode \(ENAS_JS_REPLICAS=3 needs a NATS cluster/)]);
      // it did connect first
      expect(r.output).toMatch(/"msg":"connecting to NATS"/);
    }
  }, 120_000);

  it('ends a service whose HTTP port is taken (after it connected and created its resources) with one line and exit 1', async () => {
    const single = await natsServer('');
    const port = await freePort();
    const holder: Server = createServer();
    await new Promise<void>((resolve) => holder.listen(port, '0.0.0.0', () => resolve()));
    try {
      const r = await failedStart('trainer', single.url, { ENAS_HTTP_PORT: String(port) });
      expect(r.code, r.output).toBe(1);
      expect(r.lines).toEqual([`enas: ENAS_HTTP_PORT=${port}: cannot listen on 0.0.0.0:${port} (EADDRINUSE): choose another port (0 picks a free one)`]);
      // it had connected and created its streams before the port was found taken
      const jsm = await (await client({ servers: single.url })).jetstreamManager();
      expect((await jsm.streams.info(STREAMS.events)).config.name).toBe(STREAMS.events);
    } finally {
      holder.close();
    }
  }, 120_000);
});
