import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { buildTrialJob, parseTrialTemplate } from '@dcl-enas/k8s-launcher';
import { kustomizeBuild } from './kustomize';
import { type K8sObject, podSecurityProblems, podTemplates, type Loose, assertValidK8sObjects, k8sObjectProblems } from '@dcl-enas/k8s-testing';

const repoRoot = resolve(__dirname, '../..');
const BUILDS = { base: 'k8s/base', dev: 'k8s/overlays/dev', gpu: 'k8s/overlays/gpu' } as const;
/** Created by the operator before installing (docs/deploy.md); the dev overlay ships a fixed one. */
const EXTERNAL_SECRETS = ['dcl-enas-nats', 'dcl-enas-api'];

const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
const hasKubectl = kubectl.status === 0;

function byKind(objects: readonly K8sObject[], kind: string): K8sObject[] {
  return objects.filter((object) => object.kind === kind);
}

function key(object: K8sObject): string {
  return `${object.kind}/${object.metadata.namespace ?? ''}/${object.metadata.name}`;
}

describe.each(Object.entries(BUILDS))('k8s/%s (kustomize resolved)', (name, dir) => {
  const objects = kustomizeBuild(join(repoRoot, dir));

  it('every object validates against the Kubernetes schemas, unknown fields included', () => {
    expect(objects.length).toBeGreaterThan(20);
    assertValidK8sObjects(objects, dir);
  });

  it('puts every namespaced object in the namespace its Namespace object creates', () => {
    const namespaces = byKind(objects, 'Namespace').map((object) => object.metadata.name);
    expect(namespaces).toHaveLength(1);
    const namespaced = objects.filter((object) => object.kind !== 'Namespace' && object.kind !== 'PriorityClass');
    expect(new Set(namespaced.map((object) => object.metadata.namespace))).toEqual(new Set(namespaces));
    for (const binding of byKind(objects, 'RoleBinding')) {
      for (const subject of binding['subjects'] as { namespace: string }[]) expect(subject.namespace).toBe(namespaces[0]);
    }
  });

  it('runs every pod non-root, read-only, without privilege escalation or capabilities', () => {
    const templates = podTemplates(objects);
    expect(templates.length).toBeGreaterThanOrEqual(5);
    expect(templates.flatMap(({ owner, spec }) => podSecurityProblems(owner, spec))).toEqual([]);
    for (const { labels } of templates) expect(labels['app.kubernetes.io/part-of']).toBe('dcl-enas');
  });

  it('refers only to ConfigMaps, Secrets, claims, service accounts and pods that exist', () => {
    const names = (kind: string) => new Set(byKind(objects, kind).map((object) => object.metadata.name));
    const configMaps = names('ConfigMap');
    const secrets = new Set([...names('Secret'), ...EXTERNAL_SECRETS]);
    const accounts = names('ServiceAccount');
    const claims = names('PersistentVolumeClaim');
    const missing: string[] = [];
    for (const { owner, spec } of podTemplates(objects)) {
      if (!accounts.has(spec['serviceAccountName'])) missing.push(`${owner}: service account ${spec['serviceAccountName']}`);
      for (const container of spec['containers']) {
        for (const from of container.envFrom ?? []) {
          if (from.configMapRef && !configMaps.has(from.configMapRef.name)) missing.push(`${owner}: ConfigMap ${from.configMapRef.name}`);
        }
        for (const variable of container.env ?? []) {
          const secret = variable.valueFrom?.secretKeyRef?.name;
          if (secret && !secrets.has(secret)) missing.push(`${owner}: Secret ${secret}`);
        }
      }
      for (const volume of spec['volumes'] ?? []) {
        if (volume.configMap && !configMaps.has(volume.configMap.name)) missing.push(`${owner}: ConfigMap ${volume.configMap.name}`);
        if (volume.persistentVolumeClaim && !claims.has(volume.persistentVolumeClaim.claimName)) missing.push(`${owner}: claim ${volume.persistentVolumeClaim.claimName}`);
      }
    }
    const podLabels = podTemplates(objects).map(({ labels }) => labels);
    const selects = (selector: Record<string, string>) => podLabels.some((labels) => Object.entries(selector).every(([k, v]) => labels[k] === v));
    for (const service of byKind(objects, 'Service')) {
      const selector = (service['spec'] as { selector: Record<string, string> }).selector;
      if (!selects(selector)) missing.push(`Service/${service.metadata.name}: selects no pod`);
    }
    for (const policy of byKind(objects, 'NetworkPolicy')) {
      const selector = (policy['spec'] as { podSelector: { matchLabels?: Record<string, string> } }).podSelector.matchLabels ?? {};
      if (!selects(selector)) missing.push(`NetworkPolicy/${policy.metadata.name}: selects no pod`);
    }
    expect(missing).toEqual([]);
  });

  it('gives the orchestrator a Role with Jobs and read access to Pods, Events and pod logs, nothing else', () => {
    const roles = byKind(objects, 'Role');
    expect(roles.map((role) => role.metadata.name)).toEqual(['dcl-enas-launcher']);
    expect(byKind(objects, 'ClusterRole')).toEqual([]);
    const grants = (roles[0]!['rules'] as { apiGroups: string[]; resources: string[]; verbs: string[] }[]).flatMap((rule) =>
      rule.apiGroups.flatMap((group) => rule.resources.flatMap((resource) => rule.verbs.map((verb) => `${group}/${resource}:${verb}`))),
    );
    const jobVerbs = ['get', 'list', 'watch', 'create', 'delete', 'deletecollection'].map((verb) => `batch/jobs:${verb}`);
    // Pods are watched (the launcher's informer); events are only listed (a stuck trial's reasons).
    const reads = [...['get', 'list', 'watch'].map((verb) => `/pods:${verb}`), '/events:get', '/events:list'];
    expect(grants.sort()).toEqual([...jobVerbs, ...reads, '/pods/log:get'].sort());
    const bindings = byKind(objects, 'RoleBinding');
    expect(bindings.map((binding) => (binding['subjects'] as { name: string }[]).map((subject) => subject.name))).toEqual([['orchestrator']]);
    const tokenless = byKind(objects, 'ServiceAccount').filter((account) => account['automountServiceAccountToken'] !== false);
    expect(tokenless.map((account) => account.metadata.name)).toEqual(['orchestrator']);
  });

  it('ships a trial template that parses and gives a valid Job', () => {
    const configMap = byKind(objects, 'ConfigMap').find((object) => object.metadata.name === 'dcl-enas-trial-template')!;
    const template = parseTrialTemplate(parse((configMap['data'] as Record<string, string>)['trial-template.yaml']!), `${dir} trial template`);
    const job = buildTrialJob(template, { experimentId: 'exp', trialId: '7', attempt: 1, namespace: configMap.metadata.namespace! });
    expect(k8sObjectProblems(job)).toEqual([]);
    expect(podSecurityProblems('trial Job', job.spec!.template.spec as Loose)).toEqual([]);
    if (name === 'gpu') {
      expect(template.gpus).toBe(1);
      expect(job.spec!.template.spec!.priorityClassName).toBe('dcl-enas-trials');
      expect(byKind(objects, 'PriorityClass').map((object) => object.metadata.name)).toEqual(['dcl-enas-trials']);
    }
  });

  it.skipIf(!hasKubectl)(`matches \`kubectl kustomize ${dir}\``, () => {
    const run = spawnSync('kubectl', ['kustomize', join(repoRoot, dir)], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    const expected = parseAllDocuments(run.stdout).map((document) => document.toJS() as K8sObject);
    const sortByKey = (list: K8sObject[]) => new Map(list.map((object) => [key(object), object]));
    const ours = sortByKey(objects);
    const theirs = sortByKey(expected);
    expect([...ours.keys()].sort()).toEqual([...theirs.keys()].sort());
    for (const [id, object] of theirs) expect({ id, object: ours.get(id) }).toEqual({ id, object });
  });
});

describe('k8s/extras', () => {
  it('the data-loader pod validates and meets the pod security rules', () => {
    const objects = parseAllDocuments(readFileSync(join(repoRoot, 'k8s/extras/data-loader.yaml'), 'utf8')).map((d) => d.toJS() as K8sObject);
    assertValidK8sObjects(objects, 'k8s/extras/data-loader.yaml');
    expect(podTemplates(objects).flatMap(({ owner, spec }) => podSecurityProblems(owner, spec))).toEqual([]);
  });
});

describe('manifest checks catch mistakes', () => {
  it('an unknown field, a wrong type and an insecure container are all reported', () => {
    const objects = kustomizeBuild(join(repoRoot, BUILDS.base));
    const deployment = structuredClone(byKind(objects, 'Deployment')[0]!) as Loose;
    deployment.spec.template.spec.nodeselector = { gpu: 'yes' };
    deployment.spec.replicas = 'two';
    deployment.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem = false;
    const problems = k8sObjectProblems(deployment).map((p) => p.problem);
    expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(/replicas must be integer/), expect.stringMatching(/nodeselector: unknown field/)]));
    expect(podSecurityProblems('d', deployment.spec.template.spec)).toEqual([expect.stringMatching(/readOnlyRootFilesystem must be true/)]);
  });
});
