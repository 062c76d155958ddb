import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { renderChart } from './chart-render';
import { readChart, type Chart } from './helm-chart';

/**
 * The orchestrator's Role, in the chart and in k8s/: exactly what the launcher calls
 * (libs/k8s-launcher/src/kube-api.ts), nothing more. Pods are watched (an informer) and read,
 * with their logs (a user trial's `enas-result` line); events are listed, never watched.
 */
const repoRoot = resolve(__dirname, '../..');
const EXPECTED = [
  ...['get', 'list', 'watch', 'create', 'delete', 'deletecollection'].map((verb) => `batch/jobs:${verb}`),
  ...['get', 'list', 'watch'].map((verb) => `/pods:${verb}`),
  '/events:get',
  '/events:list',
  '/pods/log:get',
].sort();

type Rule = { apiGroups: string[]; resources: string[]; verbs: string[] };
const grants = (rules: Rule[]): string[] => rules.flatMap((rule) => rule.apiGroups.flatMap((group) => rule.resources.flatMap((resource) => rule.verbs.map((verb) => `${group}/${resource}:${verb}`)))).sort();
const roleRules = (objects: Record<string, unknown>[]): Rule[] => {
  const roles = objects.filter((object) => object['kind'] === 'Role');
  expect(roles).toHaveLength(1);
  return roles[0]!['rules'] as Rule[];
};

/** The API calls of KubeClusterApi and the grant each needs. */
const CALLS: Record<string, string[]> = {
  createNamespacedJob: ['batch/jobs:create'],
  readNamespacedJob: ['batch/jobs:get'],
  deleteNamespacedJob: ['batch/jobs:delete'],
  deleteCollectionNamespacedJob: ['batch/jobs:deletecollection'],
  listNamespacedJob: ['batch/jobs:list'],
  readNamespacedPod: ['/pods:get'],
  readNamespacedPodLog: ['/pods/log:get'],
  listNamespacedEvent: ['/events:list'],
  listNamespacedPod: ['/pods:list'],
};
const INFORMERS: Record<string, string[]> = { jobs: ['batch/jobs:list', 'batch/jobs:watch'], pods: ['/pods:list', '/pods:watch'] };

describe("the orchestrator's launcher Role", () => {
  it('grants what the launcher calls: every call of kube-api.ts is granted, and events are not watched', () => {
    const source = readFileSync(resolve(repoRoot, 'libs/k8s-launcher/src/kube-api.ts'), 'utf8');
    const calls = [...source.matchAll(/this\.(?:batch|core)\.(\w+)\(/g)].map((match) => match[1]!);
    expect(calls.filter((call) => !(call in CALLS))).toEqual([]);
    const informers = [...source.matchAll(/namespaces\/\$\{this\.namespace\}\/(\w+)`/g)].map((match) => match[1]!);
    expect(informers.sort()).toEqual(['jobs', 'pods']);
    const needed = new Set([...calls.flatMap((call) => CALLS[call]!), ...informers.flatMap((resource) => INFORMERS[resource]!)]);
    expect([...needed].filter((grant) => !EXPECTED.includes(grant))).toEqual([]);
    expect(needed).toContain('/pods/log:get');
    expect(EXPECTED.filter((grant) => grant.startsWith('/events:'))).toEqual(['/events:get', '/events:list']);
  });

  it('the chart renders that Role, bound to the orchestrator only', () => {
    const chart = readChart(resolve(repoRoot, 'helm/dcl-enas'));
    const rbacOnly: Chart = { ...chart, templates: new Map([...chart.templates].filter(([file]) => file.startsWith('_') || file === 'rbac.yaml')) };
    const objects = renderChart(rbacOnly, chart.values).objects as unknown as Record<string, unknown>[];
    expect(grants(roleRules(objects))).toEqual(EXPECTED);
    const binding = objects.find((object) => object['kind'] === 'RoleBinding')!;
    expect((binding['subjects'] as { name: string }[]).map((subject) => subject.name)).toEqual(['dcl-enas-orchestrator']);
  });

  it('k8s/base/rbac.yaml has the same Role', () => {
    const objects = parseAllDocuments(readFileSync(resolve(repoRoot, 'k8s/base/rbac.yaml'), 'utf8')).map((document) => document.toJS() as Record<string, unknown>);
    expect(grants(roleRules(objects))).toEqual(EXPECTED);
  });
});
