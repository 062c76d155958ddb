import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { compareSync } from 'bcryptjs';
import { connect, ErrorCode, type NatsConnection, type NatsError } from 'nats';
import { NatsServerProcess, SERVICE_NAMES, natsPasswordHashValue, type ServiceName } from '@dcl-enas/cluster';
import { kustomizeBuild } from './kustomize';
import { assertValidK8sObjects } from '@dcl-enas/k8s-testing';
import { mergeValues, readChart, valuesProblems } from './helm-chart';

/**
 * Bcrypt-hashed NATS passwords (docs/security.md, "Hashed passwords on the NATS server"):
 * tools/nats-secrets.ts makes the services' Secret (plain passwords) and the NATS server's
 * (their hashes, chart value nats.serverAuthSecret); a real nats-server running the shipped
 * authorization block with the hashes in its environment, as the chart gives them, lets each
 * service in with its plain password and refuses the hash itself and another service's password.
 */
const repoRoot = resolve(__dirname, '../..');
const servers: NatsServerProcess[] = [];
const connections: NatsConnection[] = [];
afterAll(async () => {
  await Promise.all(connections.map((c) => c.close().catch(() => undefined)));
  await Promise.all(servers.map((s) => s.dispose()));
});

interface Secret {
  kind: string;
  metadata: { name: string; namespace?: string };
  stringData: Record<string, string>;
}

function tool(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, ['-r', './tools/register.cjs', 'tools/nats-secrets.ts', ...args], { cwd: repoRoot, encoding: 'utf8', input });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

const secrets = (yaml: string) => parseAllDocuments(yaml).map((d) => d.toJS() as Secret);
const envRef = (service: ServiceName) => `NATS_${service.toUpperCase()}_PASSWORD`;

/** The authorization block of the NATS config k8s/ ships (deploy-security.test.ts: the chart's is the same). */
function shippedAuthorization(): string {
  const configMap = kustomizeBuild(join(repoRoot, 'k8s/overlays/dev')).find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'nats-config')!;
  const conf = (configMap['data'] as Record<string, string>)['nats.conf']!;
  return conf.slice(conf.indexOf('authorization {'));
}

async function login(server: NatsServerProcess, user: ServiceName, pass: string): Promise<NatsError | null> {
  try {
    const nc = await connect({ servers: server.url, user, pass, inboxPrefix: `_INBOX_${user}`, reconnect: false, maxReconnectAttempts: 0 });
    connections.push(nc);
    await nc.flush();
    return null;
  } catch (e) {
    return e as NatsError;
  }
}

describe('tools/nats-secrets.ts and nats.serverAuthSecret', () => {
  const made = tool(['--namespace', 'dcl-enas', '--cost', '10']);
  const [plain, hashed] = secrets(made.stdout);

  it('makes the services Secret with random plain passwords and the server Secret with their quoted bcrypt hashes', () => {
    expect(made.status, made.stderr).toBe(0);
    expect([plain!.metadata, hashed!.metadata]).toEqual([
      { name: 'dcl-enas-nats', namespace: 'dcl-enas' },
      { name: 'dcl-enas-nats-server', namespace: 'dcl-enas' },
    ]);
    const keys = SERVICE_NAMES.map((s) => `${s}-password`);
    expect(Object.keys(plain!.stringData)).toEqual(keys);
    expect(Object.keys(hashed!.stringData)).toEqual(keys);
    expect(new Set(Object.values(plain!.stringData)).size).toBe(4);
    for (const key of keys) {
      expect(plain!.stringData[key]).toMatch(/^[0-9a-f]{48}$/);
      expect(hashed!.stringData[key]).toMatch(/^"\$2[ab]\$10\$[./A-Za-z0-9]{53}"$/);
      expect(compareSync(plain!.stringData[key]!, JSON.parse(hashed!.stringData[key]!) as string)).toBe(true);
    }
    // the server's Secret holds no password
    for (const password of Object.values(plain!.stringData)) expect(made.stdout.split('---')[1]).not.toContain(password);
  });

  it('a nats-server with the shipped users and the hashes in its environment admits each service with its plain password only', async () => {
    const env = Object.fromEntries(SERVICE_NAMES.map((s) => [envRef(s), hashed!.stringData[`${s}-password`]!]));
    const server = await NatsServerProcess.start({ config: shippedAuthorization(), env });
    servers.push(server);
    for (const service of SERVICE_NAMES) expect(await login(server, service, plain!.stringData[`${service}-password`]!), service).toBeNull();
    const refused = async (user: ServiceName, pass: string) => expect((await login(server, user, pass))?.code).toBe(ErrorCode.AuthorizationViolation);
    await refused('trainer', JSON.parse(hashed!.stringData['trainer-password']!) as string); // the hash is not the password
    await refused('trainer', hashed!.stringData['trainer-password']!);
    await refused('trainer', plain!.stringData['orchestrator-password']!);
    await refused('orchestrator', `${plain!.stringData['orchestrator-password']!}x`);
  });

  it('a hash stored without its quotes stops nats-server at start-up (it would read $2b... as a variable)', async () => {
    const bare = JSON.parse(hashed!.stringData['trainer-password']!) as string;
    const env = Object.fromEntries(SERVICE_NAMES.map((s) => [envRef(s), s === 'trainer' ? bare : hashed!.stringData[`${s}-password`]!]));
    await expect(NatsServerProcess.start({ config: shippedAuthorization(), env })).rejects.toThrow(/variable reference for 'NATS_TRAINER_PASSWORD'/);
    expect(() => natsPasswordHashValue('hunter2')).toThrow(/not a bcrypt hash/);
    expect(natsPasswordHashValue(bare)).toBe(`"${bare}"`);
  });

  it('--hash-existing hashes the passwords of an existing Secret (kubectl get secret -o json)', () => {
    const json = JSON.stringify({ apiVersion: 'v1', kind: 'Secret', data: Object.fromEntries(Object.entries(plain!.stringData).map(([k, v]) => [k, Buffer.from(v).toString('base64')])) });
    const run = tool(['--hash-existing', '-', '--cost', '10'], json);
    expect(run.status, run.stderr).toBe(0);
    const [only, ...rest] = secrets(run.stdout);
    expect(rest).toEqual([]);
    expect(only!.metadata.name).toBe('dcl-enas-nats-server');
    for (const [key, password] of Object.entries(plain!.stringData)) expect(compareSync(password, JSON.parse(only!.stringData[key]!) as string)).toBe(true);
    const missing = tool(['--hash-existing', '-'], JSON.stringify({ data: {} }));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/has no key orchestrator-password/);
    expect(tool(['--cost', '4']).status).toBe(2);
  });

  it("security.md's kustomize overlay points the NATS server, and only it, at the hashed Secret", () => {
    const docs = readFileSync(join(repoRoot, 'docs/security.md'), 'utf8');
    const overlay = [...docs.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!).find((text) => text.includes('dcl-enas-nats-server') && text.includes('kind: Kustomization'))!;
    expect(overlay).toBeDefined();
    const dir = mkdtempSync(join(tmpdir(), 'enas-hashed-overlay-'));
    try {
      writeFileSync(join(dir, 'kustomization.yaml'), overlay.replace('../../base', join(repoRoot, 'k8s/base')));
      const objects = kustomizeBuild(dir);
      assertValidK8sObjects(objects, 'hashed-password overlay');
      const env = (name: string, kind: string) => ((objects.find((o) => o.kind === kind && o.metadata.name === name)!['spec'] as { template: { spec: { containers: { env: { name: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[] }[] } } }).template.spec.containers[0]!.env);
      for (const service of SERVICE_NAMES) {
        expect(env('nats', 'StatefulSet').find((v) => v.name === envRef(service))?.valueFrom?.secretKeyRef).toEqual({ name: 'dcl-enas-nats-server', key: `${service}-password` });
        expect(env(service, 'Deployment').find((v) => v.name === 'NATS_PASSWORD')?.valueFrom?.secretKeyRef).toEqual({ name: 'dcl-enas-nats', key: `${service}-password` });
      }
      // the guard is real: a moved variable stops the build
      writeFileSync(join(dir, 'kustomization.yaml'), overlay.replace('../../base', join(repoRoot, 'k8s/base')).replace('value: NATS_ORCHESTRATOR_PASSWORD', 'value: NATS_SOMETHING_ELSE'));
      expect(() => kustomizeBuild(dir)).toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the chart takes the server Secret by name (values.schema.json)', () => {
    const chart = readChart(join(repoRoot, 'helm/dcl-enas'));
    expect(chart.values['nats']).toMatchObject({ authSecret: 'dcl-enas-nats', serverAuthSecret: '' });
    expect(valuesProblems(chart, mergeValues(chart.values, { nats: { serverAuthSecret: 'dcl-enas-nats-server' } }))).toEqual([]);
    expect(valuesProblems(chart, mergeValues(chart.values, { nats: { serverAuthSecret: 'Not_A_Name' } })).join('\n')).toMatch(/\/nats\/serverAuthSecret must match pattern/);
  });
});
