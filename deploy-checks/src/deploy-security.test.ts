import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SERVICE_NAMES, natsAuthorizationConf } from '@dcl-enas/cluster';
import { kustomizeBuild } from './kustomize';
import { type K8sObject, podSecurityProblems, podTemplates, type Loose } from '@dcl-enas/k8s-testing';
import { readChart } from './helm-chart';

/**
 * Issue 9, security of the shipped deployment: the NATS config of the chart and of k8s/ is the
 * one libs/cluster generates (per-service users, least privilege) and nats-server accepts it;
 * every service logs in as its own user with its own password Secret key, the API token comes
 * from a Secret; every pod of the chart runs non-root, read-only, without privilege escalation
 * or capabilities (checked on the templates, as helm is not needed to run the tests).
 */
const repoRoot = resolve(__dirname, '../..');
const chart = readChart(join(repoRoot, 'helm/dcl-enas'));
const envRef = (service: string) => `$NATS_${service.toUpperCase()}_PASSWORD`;
const expectedConf = natsAuthorizationConf(envRef);
const indent = (text: string, n: number) => text.replace(/^(?=.)/gm, ' '.repeat(n));
const tmp = mkdtempSync(join(tmpdir(), 'enas-deploy-security-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const natsServer = ['/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server'].find((p) => existsSync(p));

function natsConfOf(objects: K8sObject[]): string {
  const configMap = objects.find((o) => o.kind === 'ConfigMap' && /nats/.test(o.metadata.name) && (o['data'] as Record<string, string> | undefined)?.['nats.conf']);
  return (configMap!['data'] as Record<string, string>)['nats.conf']!;
}

describe('NATS authorization as shipped', () => {
  const objects = kustomizeBuild(join(repoRoot, 'k8s/overlays/dev'));

  it('k8s/ and the Helm chart carry exactly the generated per-service users and permissions, and no token', () => {
    expect(natsConfOf(objects)).toContain(expectedConf);
    expect(chart.templates.get('nats.yaml')).toContain(indent(expectedConf, 4));
    for (const text of [JSON.stringify(objects), ...chart.templates.values(), readFileSync(join(repoRoot, 'helm/dcl-enas/values.yaml'), 'utf8')]) expect(text).not.toMatch(/NATS_TOKEN|tokenSecret/);
    expect(expectedConf).not.toContain('_INBOX.>');
    expect(expectedConf).not.toMatch(/STREAM\.DELETE|STREAM\.UPDATE|CONSUMER\.DELETE\.ENAS_TRIALS/);
  });

  it.skipIf(!natsServer)('nats-server accepts the shipped config (nats-server -t)', () => {
    const file = join(tmp, 'nats.conf');
    writeFileSync(file, natsConfOf(objects).replace('/data/jetstream', join(tmp, 'js')));
    const env = { ...process.env, POD_NAME: 'nats-0', ...Object.fromEntries(SERVICE_NAMES.map((s) => [envRef(s).slice(1), `pw-${s}`])) };
    const run = spawnSync(natsServer!, ['-t', '-c', file], { env, encoding: 'utf8' });
    expect(run.stderr + run.stdout).toMatch(/is valid/);
    expect(run.status).toBe(0);
  });

  it('gives each service its own NATS user and password key, the NATS server every password, the orchestrator the API token', () => {
    const env = (o: K8sObject) => (((o['spec'] as Loose).template.spec.containers[0].env ?? []) as Loose[]);
    for (const service of SERVICE_NAMES) {
      const deployment = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === service)!;
      const vars = env(deployment);
      expect(vars.find((v) => v.name === 'NATS_USER')?.value).toBe(service);
      expect(vars.find((v) => v.name === 'NATS_PASSWORD')?.valueFrom).toEqual({ secretKeyRef: { name: 'dcl-enas-nats', key: `${service}-password` } });
      expect(vars.some((v) => v.name === 'ENAS_API_TOKEN')).toBe(service === 'orchestrator');
    }
    const orchestrator = env(objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'orchestrator')!);
    expect(orchestrator.find((v) => v.name === 'ENAS_API_TOKEN')?.valueFrom).toEqual({ secretKeyRef: { name: 'dcl-enas-api', key: 'token' } });
    const natsEnv = env(objects.find((o) => o.kind === 'StatefulSet' && o.metadata.name === 'nats')!);
    for (const service of SERVICE_NAMES) expect(natsEnv.find((v) => v.name === envRef(service).slice(1))?.valueFrom).toEqual({ secretKeyRef: { name: 'dcl-enas-nats', key: `${service}-password` } });
    const template = parse((objects.find((o) => o.metadata.name === 'dcl-enas-trial-template')!['data'] as Record<string, string>)['trial-template.yaml']!) as Loose;
    expect(template.nats).toMatchObject({ userSecret: { name: 'dcl-enas-nats-users', key: 'trainer' }, passwordSecret: { name: 'dcl-enas-nats', key: 'trainer-password' } });
    const users = objects.find((o) => o.kind === 'Secret' && o.metadata.name === 'dcl-enas-nats-users')!;
    expect(users['stringData']).toEqual(Object.fromEntries(SERVICE_NAMES.map((s) => [s, s])));
  });

  it('the chart does the same: user per service, password key per service, API token from its Secret', () => {
    const helpers = chart.templates.get('_helpers.tpl')!;
    expect(helpers).toMatch(/- name: NATS_USER\n\s+value: \{\{ \.serve \| quote \}\}/);
    expect(helpers).toMatch(/- name: NATS_PASSWORD[\s\S]{0,120}name: \{\{ \$root\.Values\.nats\.authSecret \}\}\n\s+key: \{\{ printf "%s-password" \.serve \}\}/);
    expect(chart.templates.get('services.yaml')).toMatch(/"ENAS_API_TOKEN" "valueFrom" \(dict "secretKeyRef" \(dict "name" \.Values\.orchestrator\.apiTokenSecret "key" "token"\)\)/);
    const nats = chart.templates.get('nats.yaml')!;
    // the NATS server: the same keys, of nats.serverAuthSecret (bcrypt hashes) when set (nats-password-hashes.test.ts)
    for (const service of SERVICE_NAMES) expect(nats).toContain(`- name: ${envRef(service).slice(1)}\n              valueFrom:\n                secretKeyRef:\n                  name: {{ default .Values.nats.authSecret .Values.nats.serverAuthSecret }}\n                  key: ${service}-password`);
    expect(chart.templates.get('configmaps.yaml')).toMatch(/userSecret: \{ name: \{\{ \$fullname \}\}-nats-users, key: trainer \}\n\s+passwordSecret: \{ name: \{\{ \.Values\.nats\.authSecret \}\}, key: trainer-password \}/);
  });
});

describe('pod security of the Helm chart (templates, without helm)', () => {
  const define = (name: string) => {
    const text = chart.templates.get('_helpers.tpl')!;
    const match = new RegExp(`\\{\\{- define "${name}" -\\}\\}\\n([\\s\\S]*?)\\{\\{- end -\\}\\}`).exec(text);
    return parse(match![1]!) as Loose;
  };

  it('the shared pod and container security contexts meet the rules (non-root, read-only, no escalation, ALL capabilities dropped)', () => {
    const spec = { securityContext: define('dcl-enas.podSecurity'), containers: [{ name: 'any', securityContext: define('dcl-enas.containerSecurity') }] };
    expect(podSecurityProblems('chart', spec)).toEqual([]);
    // and the check is real: a weaker context fails it
    const weak = structuredClone(spec) as Loose;
    weak.containers[0].securityContext.capabilities.drop = [];
    weak.securityContext.runAsNonRoot = false;
    expect(podSecurityProblems('chart', weak)).toHaveLength(2);
  });

  it('every container of every template uses them, and every pod sets a non-root security context', () => {
    let containers = 0;
    for (const [file, text] of chart.templates) {
      // configmaps.yaml holds the trial template (data, not a pod): its Jobs are built by buildTrialJob, checked in k8s-manifests.test.ts
      if (file.startsWith('_') || file === 'configmaps.yaml') continue;
      const images = (text.match(/^\s+image: /gm) ?? []).length;
      const secured = (text.match(/securityContext:\n\s+\{\{- include "dcl-enas\.containerSecurity"/g) ?? []).length;
      expect(secured, `${file}: containers with the shared container security context`).toBe(images);
      const pods = (text.match(/^\s+containers:\s*$/gm) ?? []).length;
      const podContexts = (text.match(/securityContext:\n\s+(\{\{- include "dcl-enas\.podSecurity"|runAsNonRoot: true\n\s+runAsUser: [1-9]\d*)/g) ?? []).length;
      expect(podContexts, `${file}: pods with a non-root security context`).toBe(pods);
      containers += images;
    }
    const helpers = chart.templates.get('_helpers.tpl')!;
    expect(helpers).toMatch(/securityContext:\n\s+\{\{- include "dcl-enas\.podSecurity" \$root/);
    expect(helpers).toMatch(/securityContext:\n\s+\{\{- include "dcl-enas\.containerSecurity" \$root/);
    expect(containers).toBeGreaterThanOrEqual(1);
  });

  it('the rendered k8s/ pods meet the same rules (kustomize, every overlay)', () => {
    for (const dir of ['k8s/base', 'k8s/overlays/dev', 'k8s/overlays/gpu']) {
      const templates = podTemplates(kustomizeBuild(join(repoRoot, dir)));
      expect(templates.length).toBeGreaterThanOrEqual(5);
      expect(templates.flatMap(({ owner, spec }) => podSecurityProblems(owner, spec))).toEqual([]);
    }
  });
});
