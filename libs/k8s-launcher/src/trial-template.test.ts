import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UserError } from '@dcl-enas/common';
import { launcherSettingsFromEnv, loadTrialTemplateFile } from './launcher-settings';
import { parseTrialTemplate, trialTemplateJsonSchema } from './trial-template';
import { EXTENDED_RESOURCE_NAMES, NOT_EXTENDED_RESOURCE_NAMES, trialTemplateInputArb } from '../test-support/template-arbitraries';

describe('parseTrialTemplate', () => {
  it('fills the defaults', () => {
    const template = parseTrialTemplate({ image: 'trainer:1' });
    expect(template).toMatchObject({
      gpus: 0,
      backoffLimit: 2,
      serviceAccountName: 'dcl-enas-trainer',
      pending: { timeoutSeconds: 600, action: 'retry', maxRetries: 1 },
      maxConcurrentTrials: 4,
      nats: { url: 'nats://nats:4222' },
      nonRetryableExitCodes: [2],
    });
  });

  it.each([
    [{}, /^trialTemplate\.image: .*fix that field/],
    [{ image: 'x', gpus: -1 }, /^trialTemplate\.gpus: /],
    [{ image: 'x', nodeselector: {} }, /^trialTemplate: Unrecognized key: "nodeselector"/],
    [{ image: 'x', resources: { requests: { memory: 'lots' } } }, /^trialTemplate\.resources\.requests\.memory: /],
    [{ image: 'x', pending: { action: 'wait' } }, /^trialTemplate\.pending\.action: /],
    [{ image: 'x', tolerations: [{ effect: 'Sometimes' }] }, /^trialTemplate\.tolerations\.0\.effect: /],
    [{ image: 'x', gpus: 1, resources: { limits: { 'nvidia.com/gpu': 2 } } }, /^trialTemplate\.resources\.limits: Unrecognized key: "nvidia\.com\/gpu"; set GPUs and other extended resources with trialTemplate\.gpus and trialTemplate\.gpuResource/],
    [{ image: 'x', resources: { requests: { 'amd.com/gpu': 1 } } }, /^trialTemplate\.resources\.requests: Unrecognized key: "amd\.com\/gpu"; set GPUs .* with trialTemplate\.gpus and trialTemplate\.gpuResource/],
    [{ image: 'x', gpus: 1, gpuResource: 'kubernetes.io/gpu' }, /^trialTemplate\.gpuResource: must be outside the kubernetes\.io domain/],
    [{ image: 'x', affinity: { podAntiAffinity: {} } }, /^trialTemplate\.affinity: Unrecognized key: "podAntiAffinity"/],
  ])('refuses %j with one line naming the field', (input, message) => {
    expect(() => parseTrialTemplate(input)).toThrow(UserError);
    expect(() => parseTrialTemplate(input)).toThrow(message);
  });
});

describe('extended resources: gpus of gpuResource', () => {
  it('defaults to nvidia.com/gpu', () => {
    expect(parseTrialTemplate({ image: 'x', gpus: 1 }).gpuResource).toBe('nvidia.com/gpu');
  });

  it.each(EXTENDED_RESOURCE_NAMES)('accepts the extended resource %s', (name) => {
    expect(parseTrialTemplate({ image: 'x', gpus: 2, gpuResource: name })).toMatchObject({ gpus: 2, gpuResource: name });
  });

  it.each(NOT_EXTENDED_RESOURCE_NAMES)('refuses %j, which is no extended resource name', (name) => {
    expect(() => parseTrialTemplate({ image: 'x', gpus: 1, gpuResource: name })).toThrow(/^trialTemplate\.gpuResource: /);
  });

  it('takes an empty affinity and an empty runtimeClassName as none (what the chart renders by default)', () => {
    expect(parseTrialTemplate({ image: 'x', affinity: {}, runtimeClassName: '' })).toMatchObject({ affinity: {}, runtimeClassName: '' });
  });
});

describe('trialTemplateJsonSchema', () => {
  it('accepts exactly the templates parseTrialTemplate accepts (generated templates, valid and invalid)', () => {
    const validate = new Ajv2020({ allErrors: true, strict: false }).compile(trialTemplateJsonSchema());
    const seen = { accepted: 0, refused: 0 };
    fc.assert(
      fc.property(trialTemplateInputArb, (template) => {
        let parsed: string | true = true;
        try {
          parseTrialTemplate(template);
        } catch (error) {
          parsed = (error as Error).message;
        }
        const valid = validate(template);
        seen[valid ? 'accepted' : 'refused']++;
        expect({ valid, errors: valid ? [] : validate.errors }).toEqual({ valid: parsed === true, errors: expect.anything() });
      }),
      { numRuns: 3000 },
    );
    expect(seen.accepted).toBeGreaterThan(100);
    expect(seen.refused).toBeGreaterThan(100);
  }, 60_000);


  it('describes the input: image required, unknown keys refused', () => {
    const schema = trialTemplateJsonSchema() as { required: string[]; additionalProperties: boolean; properties: Record<string, unknown> };
    expect(schema.required).toEqual(['image']);
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['gpus', 'nodeSelector', 'tolerations', 'pending', 'maxConcurrentTrials']));
  });
});

describe('launcher settings', () => {
  it('reads the environment with defaults', () => {
    expect(launcherSettingsFromEnv({})).toEqual({ mode: 'queue', maxConcurrentJobs: 8, pendingCheckIntervalMs: 5000 });
    expect(launcherSettingsFromEnv({ ENAS_TRIAL_LAUNCHER: 'kubernetes', ENAS_K8S_MAX_CONCURRENT_JOBS: '16', ENAS_K8S_NAMESPACE: 'ns', ENAS_TRIAL_TEMPLATE_FILE: '/t.yaml' })).toEqual({
      mode: 'kubernetes',
      maxConcurrentJobs: 16,
      namespace: 'ns',
      templateFile: '/t.yaml',
      pendingCheckIntervalMs: 5000,
    });
  });

  it('names the bad variable', () => {
    expect(() => launcherSettingsFromEnv({ ENAS_TRIAL_LAUNCHER: 'k8s' })).toThrow(/^ENAS_TRIAL_LAUNCHER=k8s is not a launcher/);
    expect(() => launcherSettingsFromEnv({ ENAS_K8S_MAX_CONCURRENT_JOBS: '0' })).toThrow(/^ENAS_K8S_MAX_CONCURRENT_JOBS=0 is not a positive integer/);
  });

  it('loads a template file and reports a bad one with its path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'trial-template-'));
    writeFileSync(join(dir, 'ok.yaml'), 'image: trainer:1\ngpus: 1\n');
    writeFileSync(join(dir, 'bad.yaml'), 'image: trainer:1\ngpus: many\n');
    expect(loadTrialTemplateFile(join(dir, 'ok.yaml')).template.gpus).toBe(1);
    expect(() => loadTrialTemplateFile(join(dir, 'bad.yaml'))).toThrow(new RegExp(`^${join(dir, 'bad.yaml')}\\.gpus: `));
    expect(() => loadTrialTemplateFile(join(dir, 'missing.yaml'))).toThrow(/cannot be read/);
  });
});
