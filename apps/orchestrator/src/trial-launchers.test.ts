import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseExperimentSpec } from '@dcl-enas/contracts';
import { parseTrialTemplate } from '@dcl-enas/k8s-launcher';
import { QUEUE_MODE_STAND_IN, templateFor } from './trial-launchers';

const example = parseExperimentSpec(readFileSync(join(__dirname, '..', '..', '..', 'examples', 'nb201-rea-k8s-jobs.yaml'), 'utf8'), 'example');
const spec = (trialTemplate?: Record<string, unknown>) =>
  parseExperimentSpec(JSON.stringify({ apiVersion: 'enas/v1', kind: 'Experiment', space: 'nb201', dataset: 'cifar10', strategy: 'rea', queries: 5, ...(trialTemplate ? { trialTemplate } : {}) }));

describe("an experiment's trial template", () => {
  const fallback = parseTrialTemplate({ image: 'registry.example.com/trainer-gpu:1', gpus: 1, resources: { requests: { cpu: '1', memory: '2Gi' } }, maxConcurrentTrials: 4 });

  it("is the default one, with the fields of the spec's trialTemplate replacing its own", () => {
    expect(templateFor(spec(), fallback)).toBe(fallback);
    const merged = templateFor(example, fallback)!;
    expect(merged.image).toBe('registry.example.com/trainer-gpu:1');
    expect(merged.maxConcurrentTrials).toBe(8);
    expect(merged.priorityClassName).toBe('dcl-enas-trials');
    // Whole fields: the spec's resources replace the default's.
    expect(merged.resources).toEqual({ requests: { cpu: '2', memory: '8Gi' }, limits: { memory: '12Gi' } });
    expect(merged.pending).toEqual({ timeoutSeconds: 900, action: 'retry', maxRetries: 1 });
  });

  it('names a bad field in one line; without a default the image is required', () => {
    expect(() => templateFor(spec({ gpus: 'two' }), fallback)).toThrow(/^trialTemplate\.gpus: Invalid input: expected number/);
    expect(() => templateFor(spec({ gpus: 1 }), undefined)).toThrow(/^trialTemplate\.image: /);
    expect(templateFor(spec(), undefined)).toBeUndefined();
  });

  it('in queue mode (no default) a partial template such as the example is accepted, and bad fields are still refused', () => {
    expect(templateFor(example, QUEUE_MODE_STAND_IN)?.gpus).toBe(1);
    expect(() => templateFor(spec({ gpu: 1 }), QUEUE_MODE_STAND_IN)).toThrow(/^trialTemplate: Unrecognized key: "gpu"/);
  });
});
