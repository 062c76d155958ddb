import { k8s } from './k8s-client';
import * as appsV1 from 'kubernetes-models/apps/v1';
import * as autoscalingV2 from 'kubernetes-models/autoscaling/v2';
import * as batchV1 from 'kubernetes-models/batch/v1';
import * as coreV1 from 'kubernetes-models/v1';
import * as networkingV1 from 'kubernetes-models/networking.k8s.io/v1';
import * as policyV1 from 'kubernetes-models/policy/v1';
import * as rbacV1 from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import * as schedulingV1 from 'kubernetes-models/scheduling.k8s.io/v1';
import * as kedaV1alpha1 from '@kubernetes-models/keda/keda.sh/v1alpha1';
import * as monitoringV1 from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';

/**
 * Validates Kubernetes objects two ways: against the API's OpenAPI schemas (types, required
 * fields, enums; from `kubernetes-models`), and for unknown fields (a typo such as
 * `nodeselector` passes a schema that allows extra properties, but the API server's strict
 * field validation rejects it), walking the field list of `@kubernetes/client-node`'s models.
 */

type ModelClass = new (data: unknown) => { validate(): void };
const MODEL_GROUPS: Record<string, Record<string, unknown>> = {
  v1: coreV1,
  'apps/v1': appsV1,
  'batch/v1': batchV1,
  'autoscaling/v2': autoscalingV2,
  'networking.k8s.io/v1': networkingV1,
  'policy/v1': policyV1,
  'rbac.authorization.k8s.io/v1': rbacV1,
  'scheduling.k8s.io/v1': schedulingV1,
  'keda.sh/v1alpha1': kedaV1alpha1,
  'monitoring.coreos.com/v1': monitoringV1,
};

interface AttributeType {
  name: string;
  baseName: string;
  type: string;
}
type ClientModel = { getAttributeTypeMap(): AttributeType[] };
const clientModels = k8s as unknown as Record<string, ClientModel | undefined>;

const PRIMITIVES = new Set(['string', 'String', 'number', 'boolean', 'Date', 'any', 'IntOrString', 'object']);

function unknownFields(value: unknown, type: string, path: string, out: string[]): void {
  if (value === null || value === undefined || PRIMITIVES.has(type)) return;
  const arrayOf = /^Array<(.+)>$/.exec(type);
  if (arrayOf) {
    if (Array.isArray(value)) value.forEach((item, index) => unknownFields(item, arrayOf[1]!, `${path}[${index}]`, out));
    return;
  }
  const mapOf = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (mapOf) {
    if (typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) unknownFields(item, mapOf[1]!, `${path}.${key}`, out);
    }
    return;
  }
  const model = clientModels[type];
  if (!model || typeof model.getAttributeTypeMap !== 'function' || typeof value !== 'object' || Array.isArray(value)) return;
  const attributes = new Map(model.getAttributeTypeMap().map((attribute) => [attribute.baseName, attribute.type]));
  for (const [key, item] of Object.entries(value)) {
    const fieldType = attributes.get(key);
    if (fieldType === undefined) out.push(`${path}.${key}: unknown field`);
    else unknownFields(item, fieldType, `${path}.${key}`, out);
  }
}

function clientModelName(apiVersion: string, kind: string): string | undefined {
  const version = apiVersion.split('/').pop()!;
  const candidate = `${version.charAt(0).toUpperCase()}${version.slice(1)}${kind}`;
  return clientModels[candidate] ? candidate : undefined;
}

export interface ObjectProblem {
  object: string;
  problem: string;
}

/** Every problem of one object (empty when it is valid). */
export function k8sObjectProblems(object: unknown): ObjectProblem[] {
  if (typeof object !== 'object' || object === null) return [{ object: '?', problem: 'not an object' }];
  const { apiVersion, kind, metadata } = object as { apiVersion?: string; kind?: string; metadata?: { name?: string } };
  const id = `${kind ?? '?'}/${metadata?.name ?? '?'}`;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return [{ object: id, problem: 'apiVersion and kind are required' }];
  const Model = MODEL_GROUPS[apiVersion]?.[kind] as ModelClass | undefined;
  if (!Model) return [{ object: id, problem: `no schema for ${apiVersion} ${kind}` }];
  const problems: ObjectProblem[] = [];
  try {
    new Model(object).validate();
  } catch (error) {
    problems.push({ object: id, problem: (error as Error).message });
  }
  const clientName = clientModelName(apiVersion, kind);
  if (clientName) {
    const unknown: string[] = [];
    unknownFields(object, clientName, kind, unknown);
    problems.push(...unknown.map((problem) => ({ object: id, problem })));
  }
  if (!metadata?.name) problems.push({ object: id, problem: 'metadata.name is required' });
  return problems;
}

/** Throws one error listing every problem of the objects (for tests and the tools/ checks). */
export function assertValidK8sObjects(objects: unknown[], source: string): void {
  const problems = objects.flatMap((object) => k8sObjectProblems(object));
  if (problems.length > 0) {
    throw new Error(`${source}: ${problems.length} invalid field(s)\n${problems.map((p) => `  ${p.object}: ${p.problem}`).join('\n')}`);
  }
}
