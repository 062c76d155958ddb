import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '@dcl-enas/common';
import { launcherSettingsFromEnv, loadTrialTemplateFile } from './launcher-settings';
import { parseTrialTemplate, trialTemplateJsonSchema } from './trial-template';

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
    [{ image: 'x', gpus: 1, resources: { limits: { 'nvidia.com/gpu': 2 } } }, /sets nvidia.com\/gpu to 2 but trialTemplate.gpus is 1/],
  ])('refuses %j with one line naming the field', (input, message) => {
    expect(() => parseTrialTemplate(input)).toThrow(UserError);
    expect(() => parseTrialTemplate(input)).toThrow(message);
  });
});

describe('trialTemplateJsonSchema', () => {
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
    expect(loadTrialTemplateFile(join(dir, 'ok.yaml')).gpus).toBe(1);
    expect(() => loadTrialTemplateFile(join(dir, 'bad.yaml'))).toThrow(new RegExp(`^${join(dir, 'bad.yaml')}\\.gpus: `));
    expect(() => loadTrialTemplateFile(join(dir, 'missing.yaml'))).toThrow(/cannot be read/);
  });
});
