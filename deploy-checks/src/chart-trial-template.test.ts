import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildTrialJob, DEFAULT_TRIAL_POLICY, parseTrialTemplateFile } from '@dcl-enas/k8s-launcher';
import {
  activeDeadlineSecondsArb,
  affinityArb,
  backoffLimitArb,
  gpuResourceArb,
  gpusArb,
  maxConcurrentTrialsArb,
  nodeSelectorArb,
  pendingArb,
  priorityClassNameArb,
  resourcesArb,
  runtimeClassNameArb,
  tolerationsArb,
  trialPolicyInputArb,
  ttlSecondsAfterFinishedArb,
} from '@dcl-enas/k8s-launcher/testing';
import { renderChart } from './chart-render';
import { CHART_GPU_FIELDS, CHART_TRIAL_FIELDS, syncTrialTemplateSchema } from './chart-trial-schema';
import { mergeValues, readChart, valuesProblems, type Chart } from './helm-chart';
import { k8sObjectProblems } from '@dcl-enas/k8s-testing';

/**
 * helm/dcl-enas renders the orchestrator's default trial template (and its policy) from its
 * `trials` and `gpu` values. The chart's values.schema.json and the orchestrator must accept the
 * same templates: else `helm install` succeeds and the orchestrator exits at start-up.
 */
const chartDir = resolve(__dirname, '../../helm/dcl-enas');
const chart = readChart(chartDir);
type Loose = Record<string, unknown>;

/** The trial template ConfigMap alone, rendered without the schema check (the test compares the two). */
const templateOnly: Chart = { ...chart, schema: {}, templates: new Map([...chart.templates].filter(([file]) => file.startsWith('_') || file === 'configmaps.yaml')) };

function renderedTemplateFile(values: Loose): unknown {
  const configMap = renderChart(templateOnly, values).objects.find((object) => object.kind === 'ConfigMap' && (object['data'] as Loose | undefined)?.['trial-template.yaml'] !== undefined);
  return parse((configMap!['data'] as Record<string, string>)['trial-template.yaml']!);
}

describe("the chart's values.schema.json, made from the orchestrator's trial template schema", () => {
  it('its trials part and the gpu fields of the template are what tools/helm/sync-trial-template-schema.ts writes', () => {
    const file = readFileSync(resolve(chartDir, 'values.schema.json'), 'utf8');
    expect(JSON.parse(file), 'run: npm run -s tool -- tools/helm/sync-trial-template-schema.ts').toEqual(syncTrialTemplateSchema(JSON.parse(file)));
    const trials = (chart.schema as { properties: { trials: { properties: Loose } } }).properties.trials;
    expect(Object.keys(trials.properties)).toEqual([...CHART_TRIAL_FIELDS, 'priorityClass', 'policy']);
  });

  it('every trials key is rendered into the template file with toJson (values as they are), the gpu fields inside trials.gpus > 0', () => {
    const text = chart.templates.get('configmaps.yaml')!;
    const block = text.slice(text.indexOf('trial-template.yaml: |'));
    for (const field of CHART_TRIAL_FIELDS) expect(block).toContain(`\n    ${field}: {{ toJson .Values.trials.${field} }}\n`);
    expect(block).toContain('\n    policy: {{ toJson .Values.trials.policy }}\n');
    expect(block).toMatch(/\{\{- if \.Values\.trials\.priorityClass\.create \}\}\n {4}priorityClassName: \{\{ toJson \.Values\.trials\.priorityClass\.name \}\}\n/);
    const gpuBlock = /\{\{- if gt \(int \.Values\.trials\.gpus\) 0 \}\}\n((?: {4}\w+: .*\n)+) {4}\{\{- end \}\}/.exec(block)?.[1];
    expect(gpuBlock).toBe(CHART_GPU_FIELDS.map((field) => `    ${field}: {{ toJson .Values.gpu.${field} }}\n`).join(''));
  });

  it('the defaults render a template file the orchestrator accepts: GPUs of nvidia.com/gpu, the default policy, a valid Job', () => {
    const file = parseTrialTemplateFile(renderedTemplateFile(chart.values), 'rendered trial-template.yaml');
    expect(file.policy).toEqual(DEFAULT_TRIAL_POLICY);
    expect(file.template).toMatchObject({ gpus: 1, gpuResource: 'nvidia.com/gpu', affinity: {}, runtimeClassName: '', priorityClassName: 'dcl-enas-trials' });
    const job = buildTrialJob(file.template, { experimentId: 'e', trialId: '1', attempt: 1, namespace: 'dcl-enas' });
    expect(k8sObjectProblems(job)).toEqual([]);
    expect(job.spec!.template.spec!.containers[0]!.resources!.limits!['nvidia.com/gpu']).toBe('1');
  });

  it('a MIG slice and a policy set in the values reach the file; the Job requests the slice', () => {
    const values = mergeValues(chart.values, {
      trials: { gpuResource: 'nvidia.com/mig-1g.10gb', policy: { overridableFields: ['gpus', 'resources'], allowedImagePrefixes: ['registry.example.com/ml/'], allowedSecrets: ['team-wandb'] } },
      gpu: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'nvidia.com/mig.config', operator: 'In', values: ['all-1g.10gb'] }] }] } } } },
    });
    expect(valuesProblems(chart, values)).toEqual([]);
    const file = parseTrialTemplateFile(renderedTemplateFile(values), 'rendered');
    expect(file.policy).toEqual({ overridableFields: ['gpus', 'resources'], allowedImagePrefixes: ['registry.example.com/ml/'], allowedSecrets: ['team-wandb'] });
    const pod = buildTrialJob(file.template, { experimentId: 'e', trialId: '1', attempt: 1, namespace: 'dcl-enas' }).spec!.template.spec!;
    expect(pod.containers[0]!.resources!.limits).toMatchObject({ 'nvidia.com/mig-1g.10gb': '1' });
    expect(pod.affinity?.nodeAffinity).toBeDefined();
  });

  it.each([
    [{ gpu: { affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [] } } } }, /\/gpu\/affinity must NOT have additional properties \(podAntiAffinity\)/],
    [{ trials: { resources: { limits: { 'nvidia.com/mig-1g.10gb': 1 } } } }, /\/trials\/resources\/limits must NOT have additional properties \(nvidia\.com\/mig-1g\.10gb\)/],
    [{ trials: { gpuResource: 'kubernetes.io/gpu' } }, /\/trials\/gpuResource must NOT be valid/],
    [{ gpu: { nodeSelector: { 'bad key': 'x' } } }, /\/gpu\/nodeSelector/],
    [{ gpu: { runtimeClassName: 'Not_A_Name' } }, /\/gpu\/runtimeClassName/],
    [{ trials: { policy: { allowedImagePrefixes: ['registry.example.com'] } } }, /\/trials\/policy\/allowedImagePrefixes\/0 must match pattern/],
  ])('helm install refuses %j, which the orchestrator would refuse at start-up', (override, message) => {
    const values = mergeValues(chart.values, override);
    expect(valuesProblems(chart, values).join('\n')).toMatch(message);
    expect(() => parseTrialTemplateFile(renderedTemplateFile(values), 'rendered')).toThrow();
  });

  it('accepts exactly the templates the orchestrator accepts (generated values, valid and invalid)', () => {
    const trials = fc.record(
      {
        gpus: gpusArb,
        gpuResource: gpuResourceArb,
        resources: resourcesArb,
        backoffLimit: backoffLimitArb,
        activeDeadlineSeconds: activeDeadlineSecondsArb,
        ttlSecondsAfterFinished: ttlSecondsAfterFinishedArb,
        pending: pendingArb,
        maxConcurrentTrials: maxConcurrentTrialsArb,
        // create is the chart's switch, not a template field: a boolean; the name is the template's priorityClassName.
        priorityClass: fc.record({ create: fc.boolean(), name: priorityClassNameArb }, { requiredKeys: [] }),
        policy: trialPolicyInputArb,
      },
      { requiredKeys: [] },
    );
    const gpu = fc.record({ nodeSelector: nodeSelectorArb, tolerations: tolerationsArb, affinity: affinityArb, runtimeClassName: runtimeClassNameArb }, { requiredKeys: [] });
    const seen = { accepted: 0, refused: 0 };
    fc.assert(
      fc.property(trials, gpu, (trialsOverride, gpuOverride) => {
        // gpu.* are template fields only for GPU trials (the trainer workers use them too, and the
        // chart checks them for those): with gpus 0 they keep the defaults.
        const gpus = (trialsOverride as Loose)['gpus'] ?? 1;
        const override = JSON.parse(JSON.stringify({ trials: trialsOverride, ...(gpus === 0 ? {} : { gpu: gpuOverride }) })) as Loose;
        const values = mergeValues(chart.values, override);
        const problems = valuesProblems(chart, values);
        let refusal: string | null = null;
        try {
          parseTrialTemplateFile(renderedTemplateFile(values), 'rendered trial-template.yaml');
        } catch (error) {
          refusal = (error as Error).message;
        }
        seen[refusal === null ? 'accepted' : 'refused']++;
        expect({ override, chartAccepts: problems.length === 0, problems, refusal }).toEqual({ override, chartAccepts: refusal === null, problems: expect.anything(), refusal });
      }),
      { numRuns: 400 },
    );
    expect(seen.accepted).toBeGreaterThan(40);
    expect(seen.refused).toBeGreaterThan(40);
  }, 60_000);
});
