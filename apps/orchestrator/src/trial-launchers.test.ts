import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseExperimentSpec } from '@dcl-enas/contracts';
import { DEFAULT_TRIAL_POLICY, parseTrialPolicy, parseTrialTemplate, parseTrialTemplateFile } from '@dcl-enas/k8s-launcher';
import { QUEUE_MODE_STAND_IN, experimentTemplate, templateFor } from './trial-launchers';

const example = parseExperimentSpec(readFileSync(join(__dirname, '..', '..', '..', 'examples', 'nb201-rea-k8s-jobs.yaml'), 'utf8'), 'example');
const spec = (trialTemplate?: Record<string, unknown>, trial?: Record<string, unknown>) =>
  parseExperimentSpec(
    JSON.stringify({ apiVersion: 'enas/v1', kind: 'Experiment', space: 'nb201', dataset: 'cifar10', strategy: 'rea', queries: 5, ...(trialTemplate ? { trialTemplate } : {}), ...(trial ? { trial } : {}) }),
  );

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

describe("the operator's trial policy at submission (launcher mode kubernetes)", () => {
  // What the chart renders by default: its trial template, and the default policy beside it.
  const defaults = parseTrialTemplateFile(
    {
      image: 'registry.example.com/dcl-enas/trainer-gpu:0.1.0',
      gpus: 1,
      priorityClassName: 'dcl-enas-trials',
      serviceAccountName: 'enas-dcl-enas-trial',
      nats: { url: 'nats://enas-dcl-enas-nats:4222', passwordSecret: { name: 'dcl-enas-nats', key: 'trainer-password' } },
    },
    'trial-template.yaml',
  );
  const userTrial = (image: string) => ({ command: ['python', 'train.py'], image });

  it('lets the example spec through: it changes sizes and placement, and repeats the default priority class', () => {
    expect(defaults.policy).toEqual(DEFAULT_TRIAL_POLICY);
    const template = experimentTemplate(example, defaults);
    expect(template).toMatchObject({ image: defaults.template.image, gpus: 1, maxConcurrentTrials: 8, priorityClassName: 'dcl-enas-trials', serviceAccountName: 'enas-dcl-enas-trial' });
  });

  it.each([
    [{ image: 'evil.example/miner:1' }, /^trialTemplate\.image: an experiment may not set image on this orchestrator \(policy\.overridableFields/],
    [{ serviceAccountName: 'default' }, /^trialTemplate\.serviceAccountName: an experiment may not set serviceAccountName/],
    [{ envFrom: [{ secretRef: { name: 'dcl-enas-api' } }] }, /^trialTemplate\.envFrom: an experiment may not set envFrom/],
    [{ env: [{ name: 'TOKEN', secretKeyRef: { name: 'dcl-enas-api', key: 'token' } }] }, /^trialTemplate\.env: /],
  ])('refuses %j with one line naming the field', (trialTemplate, message) => {
    expect(() => experimentTemplate(spec(trialTemplate), defaults)).toThrow(message);
  });

  it('a Secret is refused even where the operator lets experiments set the field, unless the policy names it', () => {
    const open = { ...defaults, policy: parseTrialPolicy({ overridableFields: ['envFrom', 'env'], allowedSecrets: ['team-wandb'] }) };
    expect(() => experimentTemplate(spec({ envFrom: [{ secretRef: { name: 'dcl-enas-api' } }] }), open)).toThrow(/^trialTemplate\.envFrom\.0\.secretRef\.name: an experiment may not use the Secret dcl-enas-api/);
    expect(experimentTemplate(spec({ envFrom: [{ secretRef: { name: 'team-wandb' } }] }), open).envFrom).toEqual([{ secretRef: { name: 'team-wandb' } }]);
  });

  it("checks a user trial's image (trial.image) against allowedImagePrefixes, also without a default template", () => {
    const prefixed = { ...defaults, policy: parseTrialPolicy({ allowedImagePrefixes: ['registry.example.com/ml/'] }) };
    expect(experimentTemplate(spec(undefined, userTrial('registry.example.com/ml/train:2')), prefixed).gpus).toBe(1);
    expect(() => experimentTemplate(spec(undefined, userTrial('docker.io/evil/train:2')), prefixed)).toThrow(/^trial\.image: docker\.io\/evil\/train:2 does not start with an allowed prefix/);
    // No default template: the default policy, any image; the trial's image is the template's.
    expect(experimentTemplate(spec(undefined, userTrial('python:3.12')), undefined).image).toBe('python:3.12');
    expect(() => experimentTemplate(spec({ serviceAccountName: 'default' }, userTrial('python:3.12')), undefined)).toThrow(/^trialTemplate\.serviceAccountName: /);
  });

  it('without a default template an experiment cannot bring its own trainer image (the policy keeps image to the operator)', () => {
    expect(() => experimentTemplate(spec({ image: 'trainer:1' }), undefined)).toThrow(/^trialTemplate\.image: an experiment may not set image/);
    expect(() => experimentTemplate(spec(), undefined)).toThrow(/has no default trial template: set ENAS_TRIAL_TEMPLATE_FILE/);
    const imageAllowed = { template: parseTrialTemplate({ image: 'trainer:1' }), policy: parseTrialPolicy({ overridableFields: ['image'], allowedImagePrefixes: ['registry.example.com/'] }) };
    expect(experimentTemplate(spec({ image: 'registry.example.com/t:2' }), imageAllowed).image).toBe('registry.example.com/t:2');
    expect(() => experimentTemplate(spec({ image: 'trainer:2' }), imageAllowed)).toThrow(/^trialTemplate\.image: trainer:2 does not start with an allowed prefix/);
  });
});
