import { trialPolicyJsonSchema, trialTemplateJsonSchema } from '@dcl-enas/k8s-launcher';

/**
 * The trial-template part of helm/dcl-enas/values.schema.json, made from the orchestrator's own
 * schemas (trialTemplateSchema, trialPolicySchema) so that `helm install` accepts exactly the
 * default trial templates the orchestrator accepts at start-up. tools/helm/sync-trial-template-schema.ts
 * writes it into the file (only these subtrees); chart-trial-schema.test.ts checks the file is in sync.
 *
 * What the chart renders into the template (templates/configmaps.yaml, all with toJson, so the
 * file holds the values as they are):
 * - `trials.<field>` is the template's `<field>` for CHART_TRIAL_FIELDS, `trials.policy` its
 *   `policy` section, `trials.priorityClass.name` its `priorityClassName` when `create` is true;
 * - `gpu.<field>` is the template's `<field>` for CHART_GPU_FIELDS when `trials.gpus` > 0 (the
 *   trainer workers' Deployment uses them too; the rest of `gpu` is not the template's).
 */

export const CHART_TRIAL_FIELDS = ['gpus', 'gpuResource', 'resources', 'backoffLimit', 'activeDeadlineSeconds', 'ttlSecondsAfterFinished', 'pending', 'maxConcurrentTrials'] as const;
export const CHART_GPU_FIELDS = ['nodeSelector', 'tolerations', 'affinity', 'runtimeClassName'] as const;

type Schema = Record<string, unknown>;

const GENERATED = 'Generated from trialTemplateSchema and trialPolicySchema (libs/k8s-launcher) by tools/helm/sync-trial-template-schema.ts: change those and run the tool, do not edit here.';

/**
 * The schema without its `default`s: annotations, which in a chart's schema read as the chart's
 * defaults (values.yaml has those). Keys of `properties` are field names, not keywords.
 */
function withoutDefaults(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withoutDefaults);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'default' || key === '$schema') continue;
    out[key] =
      key === 'properties' || key === 'patternProperties' || key === '$defs'
        ? Object.fromEntries(Object.entries(value as Schema).map(([name, child]) => [name, withoutDefaults(child)]))
        : withoutDefaults(value);
  }
  return out;
}

function templateProperty(field: string): Schema {
  const property = (trialTemplateJsonSchema()['properties'] as Record<string, Schema>)[field];
  if (!property) throw new Error(`trialTemplateSchema has no field ${field}`);
  return withoutDefaults(property) as Schema;
}

/** `properties.trials` of values.schema.json. */
export function chartTrialsSchema(): Schema {
  return {
    $comment: GENERATED,
    description: 'The default trial template for launcher mode "kubernetes" (trialTemplateSchema, docs/deploy.md "The trial template") and its policy (docs/security.md "Trial templates")',
    type: 'object',
    additionalProperties: false,
    properties: {
      ...Object.fromEntries(CHART_TRIAL_FIELDS.map((field) => [field, templateProperty(field)])),
      priorityClass: {
        type: 'object',
        additionalProperties: false,
        properties: {
          create: { type: 'boolean', description: 'Create the PriorityClass and give it to trial Jobs (priorityClassName)' },
          name: { description: "The PriorityClass's name: the trial template's priorityClassName when create is true" },
          value: { type: 'integer', minimum: 0, maximum: 1000000000 },
        },
        required: ['create', 'name', 'value'],
        // The name is the template's only when the chart renders it.
        if: { properties: { create: { const: true } } },
        then: { properties: { name: templateProperty('priorityClassName') } },
      },
      policy: withoutDefaults(trialPolicyJsonSchema()),
    },
    required: [...CHART_TRIAL_FIELDS, 'priorityClass', 'policy'],
  };
}

/** `properties.gpu.properties.<field>` of values.schema.json for the fields the trial template takes from `gpu`. */
export function chartGpuFieldSchemas(): Record<(typeof CHART_GPU_FIELDS)[number], Schema> {
  return Object.fromEntries(CHART_GPU_FIELDS.map((field): [string, Schema] => [field, { $comment: GENERATED, ...templateProperty(field) }])) as Record<(typeof CHART_GPU_FIELDS)[number], Schema>;
}

/**
 * values.schema.json with its trial-template subtrees replaced by the generated ones, everything
 * else as it was (key order included).
 */
export function syncTrialTemplateSchema(valuesSchema: Schema): Schema {
  const schema = structuredClone(valuesSchema) as Schema & { properties: Record<string, Schema & { properties?: Record<string, Schema> }> };
  schema.properties['trials'] = chartTrialsSchema();
  const gpu = schema.properties['gpu'];
  if (!gpu?.properties) throw new Error('values.schema.json has no properties.gpu.properties');
  Object.assign(gpu.properties, chartGpuFieldSchemas());
  return schema;
}
