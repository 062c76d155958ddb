import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UserError } from '@dcl-enas/common';
import { loadTrialTemplateFile } from './launcher-settings';
import { DEFAULT_TRIAL_POLICY, parseTrialPolicy, parseTrialTemplateFile, trialPolicyJsonSchema, trialPolicyProblem, type TrialPolicy } from './trial-policy';
import { trialPolicyInputArb } from '../test-support/template-arbitraries';
import { parseTrialTemplate, type TrialTemplateInput } from './trial-template';

const base = parseTrialTemplate({
  image: 'registry.example.com/dcl-enas/trainer-gpu:0.1.0',
  gpus: 1,
  priorityClassName: 'dcl-enas-trials',
  envFrom: [{ configMapRef: { name: 'dcl-enas-config' } }],
  nats: { url: 'nats://nats:4222', passwordSecret: { name: 'dcl-enas-nats', key: 'trainer-password' } },
});

/** What the orchestrator checks at submission: the spec's trialTemplate over the default one, and trial.image. */
function problem(overrides: TrialTemplateInput | Record<string, unknown> | undefined, policy: TrialPolicy = DEFAULT_TRIAL_POLICY, userImage?: string): string | null {
  const template = overrides === undefined ? base : parseTrialTemplate({ ...base, ...overrides });
  return trialPolicyProblem(policy, { overrides: overrides as Record<string, unknown> | undefined, template, base, ...(userImage === undefined ? {} : { userImage }) });
}

describe('the trial policy: what an experiment may change of the default trial template', () => {
  it('by default lets an experiment size and place its trials', () => {
    expect(DEFAULT_TRIAL_POLICY).toEqual({
      overridableFields: ['gpus', 'gpuResource', 'resources', 'nodeSelector', 'affinity', 'tolerations', 'backoffLimit', 'activeDeadlineSeconds', 'pending', 'maxConcurrentTrials'],
      allowedImagePrefixes: [],
      allowedSecrets: [],
    });
    expect(
      problem({
        gpus: 2,
        gpuResource: 'nvidia.com/mig-3g.40gb',
        resources: { requests: { cpu: '4' } },
        nodeSelector: { pool: 'a100' },
        tolerations: [{ key: 'dedicated', operator: 'Exists' }],
        affinity: {},
        backoffLimit: 0,
        activeDeadlineSeconds: 60,
        pending: { timeoutSeconds: 60 },
        maxConcurrentTrials: 2,
      }),
    ).toBeNull();
    expect(problem(undefined)).toBeNull();
  });

  it.each([
    [{ image: 'evil.example/miner:1' }, /^trialTemplate\.image: an experiment may not set image on this orchestrator \(policy\.overridableFields of its default trial template: gpus, gpuResource, .*maxConcurrentTrials\); drop it from the spec, or ask the operator to allow it$/],
    [{ serviceAccountName: 'default' }, /^trialTemplate\.serviceAccountName: an experiment may not set serviceAccountName/],
    [{ envFrom: [{ secretRef: { name: 'dcl-enas-api' } }] }, /^trialTemplate\.envFrom: an experiment may not set envFrom/],
    [{ env: [{ name: 'T', secretKeyRef: { name: 'dcl-enas-api', key: 'token' } }] }, /^trialTemplate\.env: an experiment may not set env/],
    [{ command: ['sh', '-c', 'env'] }, /^trialTemplate\.command: /],
    [{ nats: { url: 'nats://evil:4222' } }, /^trialTemplate\.nats: /],
    [{ labels: { 'app.kubernetes.io/name': 'orchestrator' } }, /^trialTemplate\.labels: /],
    [{ runtimeClassName: 'runc' }, /^trialTemplate\.runtimeClassName: /],
    [{ priorityClassName: 'system-cluster-critical' }, /^trialTemplate\.priorityClassName: /],
    [{ data: { claimName: 'nats-data' } }, /^trialTemplate\.data: /],
  ])('by default refuses %j with one line naming the field', (overrides, message) => {
    expect(problem(overrides)).toMatch(message);
  });

  it('a field that repeats the default value is no change (the example spec repeats priorityClassName)', () => {
    expect(problem({ priorityClassName: 'dcl-enas-trials', image: base.image, envFrom: [{ configMapRef: { name: 'dcl-enas-config' } }] })).toBeNull();
  });

  it('refuses Secrets an experiment names, in any field the operator let it set, unless allowed', () => {
    const open = parseTrialPolicy({ overridableFields: ['env', 'envFrom', 'nats', 'imagePullSecrets'] });
    expect(problem({ envFrom: [{ configMapRef: { name: 'team-settings' } }, { secretRef: { name: 'dcl-enas-api' } }] }, open)).toMatch(
      /^trialTemplate\.envFrom\.1\.secretRef\.name: an experiment may not use the Secret dcl-enas-api \(policy\.allowedSecrets of the default trial template: none\); drop it from the spec, or ask the operator to allow it$/,
    );
    expect(problem({ env: [{ name: 'A', value: '1' }, { name: 'T', secretKeyRef: { name: 'dcl-enas-api', key: 'token' } }] }, open)).toMatch(/^trialTemplate\.env\.1\.secretKeyRef\.name: .*Secret dcl-enas-api/);
    expect(problem({ nats: { url: 'nats://nats:4222', tokenSecret: { name: 'dcl-enas-api', key: 'token' } } }, open)).toMatch(/^trialTemplate\.nats\.tokenSecret\.name: /);
    expect(problem({ nats: { url: 'nats://nats:4222', tls: { secretName: 'other-tls' } } }, open)).toMatch(/^trialTemplate\.nats\.tls\.secretName: /);
    expect(problem({ imagePullSecrets: ['team-pull'] }, open)).toMatch(/^trialTemplate\.imagePullSecrets\.0: .*Secret team-pull/);
    // ConfigMaps are not Secrets; the default's own Secrets are the operator's.
    expect(problem({ envFrom: [{ configMapRef: { name: 'team-settings' } }], env: [{ name: 'A', configMapKeyRef: { name: 'team', key: 'a' } }] }, open)).toBeNull();
    expect(problem({ nats: base.nats }, open)).toBeNull();
    const allowed = parseTrialPolicy({ overridableFields: ['envFrom'], allowedSecrets: ['team-wandb'] });
    expect(problem({ envFrom: [{ secretRef: { name: 'team-wandb' } }] }, allowed)).toBeNull();
    expect(problem({ envFrom: [{ secretRef: { name: 'dcl-enas-nats' } }] }, allowed)).toMatch(/^trialTemplate\.envFrom\.0\.secretRef\.name: .*\(policy\.allowedSecrets of the default trial template: team-wandb\)/);
  });

  it('checks the images an experiment names (trialTemplate.image, trial.image) against allowedImagePrefixes, any image when there are none', () => {
    const prefixed = parseTrialPolicy({ overridableFields: ['image'], allowedImagePrefixes: ['registry.example.com/ml/', 'python:'] });
    expect(problem({ image: 'registry.example.com/ml/train:3' }, prefixed)).toBeNull();
    expect(problem({ image: 'registry.example.com/ml-evil/train:3' }, prefixed)).toMatch(
      /^trialTemplate\.image: registry\.example\.com\/ml-evil\/train:3 does not start with an allowed prefix \(policy\.allowedImagePrefixes of the default trial template: registry\.example\.com\/ml\/, python:\); use an image from there, or ask the operator to allow its registry$/,
    );
    expect(problem(undefined, prefixed, 'python:3.12-slim')).toBeNull();
    expect(problem(undefined, prefixed, 'docker.io/library/python:3.12')).toMatch(/^trial\.image: docker\.io\/library\/python:3\.12 does not start with an allowed prefix/);
    expect(problem(undefined, DEFAULT_TRIAL_POLICY, 'anything.example/whatever:1')).toBeNull();
    // The default template's own image is the operator's.
    expect(problem({ image: base.image }, parseTrialPolicy({ allowedImagePrefixes: ['python:'] }))).toBeNull();
  });
});

describe('parseTrialPolicy', () => {
  it.each([
    [{ overridableFields: ['gpu'] }, /^policy\.overridableFields\.0: Invalid option: expected one of "image"\|.*; fix that field of the trial policy/],
    [{ allowedImagePrefixes: ['registry.example.com/team'] }, /^policy\.allowedImagePrefixes\.0: must end with "\/", ":" or "@"/],
    [{ allowedSecrets: ['Bad_Name'] }, /^policy\.allowedSecrets\.0: /],
    [{ allowImages: [] }, /^policy: Unrecognized key: "allowImages"/],
  ])('refuses %j with one line naming the field', (input, message) => {
    expect(() => parseTrialPolicy(input)).toThrow(UserError);
    expect(() => parseTrialPolicy(input)).toThrow(message);
  });
});

describe('the default trial template file with its policy', () => {
  it('has an optional policy section beside the template fields', () => {
    expect(parseTrialTemplateFile({ image: 'trainer:1' }, 'f')).toEqual({ template: parseTrialTemplate({ image: 'trainer:1' }), policy: DEFAULT_TRIAL_POLICY });
    const file = parseTrialTemplateFile({ image: 'trainer:1', gpus: 1, policy: { overridableFields: ['gpus'], allowedImagePrefixes: ['registry.example.com/'] } }, 'f');
    expect(file.template.gpus).toBe(1);
    expect(file.template).not.toHaveProperty('policy');
    expect(file.policy).toEqual({ overridableFields: ['gpus'], allowedImagePrefixes: ['registry.example.com/'], allowedSecrets: [] });
    expect(() => parseTrialTemplateFile({ image: 'trainer:1', policy: { allowedSecrets: 'all' } }, 'f')).toThrow(/^f\.policy\.allowedSecrets: .*; fix that field of the trial policy/);
    expect(() => parseTrialTemplateFile({ image: 'trainer:1', policy: null }, 'f')).toThrow(/^f\.policy: /);
    expect(() => parseTrialTemplateFile({ image: 'trainer:1', polcy: {} }, 'f')).toThrow(/^f: Unrecognized key: "polcy"/);
  });

  it('is read at start-up: a bad policy is one line naming the file and the field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'trial-policy-'));
    writeFileSync(join(dir, 'ok.yaml'), 'image: trainer:1\npolicy:\n  overridableFields: [gpus, resources]\n');
    writeFileSync(join(dir, 'bad.yaml'), 'image: trainer:1\npolicy:\n  allowedImagePrefixes: [registry.example.com]\n');
    expect(loadTrialTemplateFile(join(dir, 'ok.yaml')).policy.overridableFields).toEqual(['gpus', 'resources']);
    expect(() => loadTrialTemplateFile(join(dir, 'bad.yaml'))).toThrow(new RegExp(`^${join(dir, 'bad.yaml')}\\.policy\\.allowedImagePrefixes\\.0: must end with`));
  });
});

describe('trialPolicyJsonSchema', () => {
  it('accepts exactly the policies parseTrialPolicy accepts (generated policies, valid and invalid)', () => {
    const validate = new Ajv2020({ strict: false }).compile(trialPolicyJsonSchema());
    const seen = { accepted: 0, refused: 0 };
    fc.assert(
      fc.property(trialPolicyInputArb, (policy) => {
        let parsed = true;
        try {
          parseTrialPolicy(policy);
        } catch {
          parsed = false;
        }
        seen[parsed ? 'accepted' : 'refused']++;
        expect(validate(policy)).toBe(parsed);
      }),
      { numRuns: 1000 },
    );
    expect(seen.accepted).toBeGreaterThan(100);
    expect(seen.refused).toBeGreaterThan(100);
  }, 60_000);
});
