import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { applyJsonPatch, type PatchOperation } from './json-patch';
import type { K8sObject, Loose } from '@dcl-enas/k8s-testing';

/**
 * Builds a kustomization the way `kustomize build` does, for the features k8s/ uses:
 * resources (files and directories), namespace, labels (with includeTemplates), JSON 6902
 * patches with kind/name targets (names are anchored regular expressions), replicas and
 * images. Any other field is refused, so the manifests cannot drift onto features this
 * resolver would silently ignore. Tests compare its output with `kubectl kustomize` where
 * kubectl is installed.
 */

interface Kustomization {
  namespace?: string;
  resources?: string[];
  labels?: { pairs: Record<string, string>; includeSelectors?: boolean; includeTemplates?: boolean }[];
  patches?: { patch?: string; path?: string; target?: { kind?: string; name?: string } }[];
  replicas?: { name: string; count: number }[];
  images?: { name: string; newName?: string; newTag?: string; digest?: string }[];
}

const SUPPORTED = new Set(['apiVersion', 'kind', 'namespace', 'resources', 'labels', 'patches', 'replicas', 'images']);
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'PriorityClass',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'StorageClass',
  'PersistentVolume',
  'RuntimeClass',
]);
const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job']);

/** Subjects whose namespace a kustomization filled in (kustomize moves these with later layers, not ones written in a file). */
const filledSubjects = new WeakSet<object>();

function readKustomization(dir: string): Kustomization {
  const file = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'].map((name) => join(dir, name)).find((path) => existsSync(path));
  if (!file) throw new Error(`${dir}: no kustomization.yaml`);
  const kustomization = parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  for (const field of Object.keys(kustomization)) {
    if (!SUPPORTED.has(field)) throw new Error(`${file}: the field "${field}" is not supported by this resolver (${[...SUPPORTED].join(', ')})`);
  }
  return kustomization as Kustomization;
}

function readObjects(file: string): K8sObject[] {
  return parseAllDocuments(readFileSync(file, 'utf8'))
    .map((document) => {
      if (document.errors.length > 0) throw new Error(`${file}: ${document.errors[0]!.message}`);
      return document.toJS() as K8sObject | null;
    })
    .filter((object): object is K8sObject => object !== null);
}

function podSpecs(object: K8sObject): Record<string, unknown>[] {
  const spec = object['spec'] as Loose | undefined;
  if (object.kind === 'Pod' && spec) return [spec];
  if (WORKLOADS.has(object.kind) && spec?.['template']?.spec) return [spec['template'].spec];
  if (object.kind === 'CronJob' && spec?.['jobTemplate']?.spec?.template?.spec) return [spec['jobTemplate'].spec.template.spec];
  return [];
}

function anchored(pattern: string | undefined, value: string): boolean {
  return pattern === undefined || new RegExp(`^(?:${pattern})$`).test(value);
}

function applyPatches(dir: string, objects: K8sObject[], patches: NonNullable<Kustomization['patches']>): K8sObject[] {
  let result = objects;
  for (const entry of patches) {
    const text = entry.patch ?? (entry.path ? readFileSync(resolve(dir, entry.path), 'utf8') : undefined);
    if (text === undefined) throw new Error(`${dir}: a patch needs "patch" or "path"`);
    const operations = parse(text) as unknown;
    if (!Array.isArray(operations)) throw new Error(`${dir}: only JSON 6902 patches (a list of operations) are supported`);
    const target = entry.target ?? {};
    let matched = 0;
    result = result.map((object) => {
      if (!anchored(target.kind, object.kind) || !anchored(target.name, object.metadata.name)) return object;
      matched++;
      return applyJsonPatch(object, operations as PatchOperation[]);
    });
    if (matched === 0) throw new Error(`${dir}: patch target ${JSON.stringify(target)} matches no resource`);
  }
  return result;
}

function applyNamespace(objects: K8sObject[], namespace: string): void {
  for (const object of objects) {
    if (object.kind === 'Namespace') object.metadata.name = namespace;
    else if (!CLUSTER_SCOPED.has(object.kind)) object.metadata.namespace = namespace;
    if (object.kind === 'RoleBinding' || object.kind === 'ClusterRoleBinding') {
      for (const subject of (object['subjects'] as Record<string, string>[] | undefined) ?? []) {
        if (subject['kind'] !== 'ServiceAccount') continue;
        if (subject['namespace'] === undefined || filledSubjects.has(subject)) {
          subject['namespace'] = namespace;
          filledSubjects.add(subject);
        }
      }
    }
  }
}

function applyLabels(objects: K8sObject[], labels: NonNullable<Kustomization['labels']>): void {
  for (const { pairs, includeSelectors, includeTemplates } of labels) {
    if (includeSelectors) throw new Error('labels with includeSelectors are not supported by this resolver');
    for (const object of objects) {
      object.metadata.labels = { ...object.metadata.labels, ...pairs };
      if (!includeTemplates) continue;
      const spec = object['spec'] as Loose | undefined;
      if (WORKLOADS.has(object.kind) && spec?.['template']) {
        spec['template'].metadata = { ...spec['template'].metadata, labels: { ...spec['template'].metadata?.labels, ...pairs } };
      }
      if (object.kind === 'StatefulSet') {
        for (const claim of (spec?.['volumeClaimTemplates'] as Loose[] | undefined) ?? []) {
          claim['metadata'] = { ...claim['metadata'], labels: { ...claim['metadata']?.labels, ...pairs } };
        }
      }
    }
  }
}

function applyImages(objects: K8sObject[], images: NonNullable<Kustomization['images']>): void {
  for (const object of objects) {
    for (const spec of podSpecs(object)) {
      for (const container of [...((spec['containers'] as Record<string, string>[]) ?? []), ...((spec['initContainers'] as Record<string, string>[]) ?? [])]) {
        const image = container['image'] ?? '';
        const match = /^(.*?)(?::([^:/@]+))?(?:@(.+))?$/.exec(image)!;
        const rule = images.find((candidate) => candidate.name === match[1]);
        if (!rule) continue;
        const name = rule.newName ?? match[1];
        if (rule.digest) container['image'] = `${name}@${rule.digest}`;
        else if (rule.newTag) container['image'] = `${name}:${rule.newTag}`;
        else container['image'] = `${name}${match[2] ? `:${match[2]}` : ''}${match[3] ? `@${match[3]}` : ''}`;
      }
    }
  }
}

/** The objects `kustomize build DIR` would print (order aside). */
export function kustomizeBuild(dir: string): K8sObject[] {
  const kustomization = readKustomization(dir);
  let objects: K8sObject[] = [];
  for (const entry of kustomization.resources ?? []) {
    const path = resolve(dir, entry);
    if (!existsSync(path)) throw new Error(`${dir}: resource ${entry} does not exist`);
    objects.push(...(statSync(path).isDirectory() ? kustomizeBuild(path) : readObjects(path)));
  }
  if (kustomization.patches) objects = applyPatches(dir, objects, kustomization.patches);
  if (kustomization.namespace) applyNamespace(objects, kustomization.namespace);
  if (kustomization.labels) applyLabels(objects, kustomization.labels);
  for (const { name, count } of kustomization.replicas ?? []) {
    const targets = objects.filter((object) => object.metadata.name === name && (object.kind === 'Deployment' || object.kind === 'StatefulSet'));
    if (targets.length === 0) throw new Error(`${dir}: replicas for ${name} match no Deployment or StatefulSet`);
    for (const object of targets) (object['spec'] as Record<string, unknown>)['replicas'] = count;
  }
  if (kustomization.images) applyImages(objects, kustomization.images);
  const seen = new Set<string>();
  for (const object of objects) {
    const id = `${object.kind}/${object.metadata.namespace ?? ''}/${object.metadata.name}`;
    if (seen.has(id)) throw new Error(`${dir}: ${id} is defined twice`);
    seen.add(id);
  }
  return objects;
}
