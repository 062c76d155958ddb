import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildExperimentAnchor, buildTrialJob, ownerReferenceTo } from './job-builder';
import { LABELS, labelValue, trialJobName } from './labels';
import { k8sObjectProblems, podSecurityProblems } from '@dcl-enas/k8s-testing';
import { parseTrialTemplate, type TrialTemplateInput } from './trial-template';
import { EXTENDED_RESOURCE_NAMES } from '../test-support/template-arbitraries';

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

const templateArb: fc.Arbitrary<TrialTemplateInput> = fc.record(
  {
    image: fc.constantFrom('registry.example/dcl-enas/trainer-gpu:0.1.0', 'trainer@sha256:' + 'a'.repeat(64)),
    gpus: fc.integer({ min: 0, max: 8 }),
    gpuResource: fc.constantFrom(...EXTENDED_RESOURCE_NAMES),
    backoffLimit: fc.integer({ min: 0, max: 10 }),
    activeDeadlineSeconds: fc.integer({ min: 1, max: 7 * 86400 }),
    ttlSecondsAfterFinished: fc.integer({ min: 0, max: 86400 }),
    nonRetryableExitCodes: fc.uniqueArray(fc.integer({ min: 1, max: 255 }), { maxLength: 3 }),
    nodeSelector: fc.dictionary(fc.constantFrom('nvidia.com/gpu.product', 'cloud.google.com/gke-accelerator', 'pool'), fc.constantFrom('a100', 'nvidia-tesla-t4', 'gpu')),
    tolerations: fc.array(fc.record({ key: fc.constantFrom('nvidia.com/gpu', 'dedicated'), operator: fc.constantFrom('Exists' as const), effect: fc.constantFrom('NoSchedule' as const, 'NoExecute' as const) }), { maxLength: 2 }),
    priorityClassName: fc.constantFrom('dcl-enas-trials', 'high'),
    env: fc.array(fc.record({ name: fc.constantFrom('A', 'B_1', 'TF_CPP_MIN_LOG_LEVEL'), value: fc.string() }), { maxLength: 3 }),
    nats: fc.record(
      { url: fc.constant('nats://nats:4222'), tokenSecret: fc.constant({ name: 'dcl-enas-nats', key: 'token' }), credentialsSecret: fc.constant({ name: 'nats-creds', key: 'user.creds' }) },
      { requiredKeys: ['url'] },
    ),
    data: fc.constant({ claimName: 'dcl-enas-data' }),
    affinity: fc.constant({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'gpu', operator: 'In' as const, values: ['a100'] }] }] } } }),
  },
  { requiredKeys: ['image'] },
);

describe('buildTrialJob', () => {
  it('every Job it builds validates against the Kubernetes schemas and the pod security rules', () => {
    fc.assert(
      fc.property(templateArb, fc.string({ minLength: 1, maxLength: 80 }), fc.string({ minLength: 1, maxLength: 80 }), fc.integer({ min: 1, max: 20 }), (input, experimentId, trialId, attempt) => {
        const template = parseTrialTemplate(input);
        const anchor = { ...buildExperimentAnchor(template, experimentId, 'ns'), metadata: { ...buildExperimentAnchor(template, experimentId, 'ns').metadata, uid: 'u-1' } };
        const job = buildTrialJob(template, { experimentId, trialId, attempt, namespace: 'ns', owner: ownerReferenceTo(anchor) });
        expect(k8sObjectProblems(job)).toEqual([]);
        expect(k8sObjectProblems(anchor)).toEqual([]);
        expect(podSecurityProblems('job', job.spec!.template.spec as unknown as Record<string, unknown>)).toEqual([]);
        expect(job.metadata!.name!.length).toBeLessThanOrEqual(52);
        expect(job.metadata!.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
        for (const value of Object.values(job.metadata!.labels!)) expect(value).toMatch(LABEL_VALUE);
        const container = job.spec!.template.spec!.containers[0]!;
        expect(container.env!.find((e) => e.name === 'ENAS_TRIAL_ID')!.value).toBe(trialId);
        expect(new Set(container.env!.map((e) => e.name)).size).toBe(container.env!.length);
        // An extended resource: request equal to limit, and the trial tolerates its taint.
        if (template.gpus > 0) {
          expect(container.resources!.limits![template.gpuResource]).toBe(String(template.gpus));
          expect(container.resources!.requests![template.gpuResource]).toBe(String(template.gpus));
          expect(job.spec!.template.spec!.tolerations!.map((t) => t.key)).toContain(template.gpuResource);
        } else expect(container.resources!.limits?.[template.gpuResource]).toBeUndefined();
      }),
      { numRuns: 150 },
    );
  });

  it('sets what the issue lists: GPUs, placement, limits, owner, labels and secrets', () => {
    const template = parseTrialTemplate({
      image: 'trainer:1',
      gpus: 2,
      nodeSelector: { 'nvidia.com/gpu.product': 'A100' },
      priorityClassName: 'dcl-enas-trials',
      serviceAccountName: 'trial-sa',
      backoffLimit: 3,
      activeDeadlineSeconds: 3600,
      ttlSecondsAfterFinished: 600,
      nats: { url: 'nats://n:4222', credentialsSecret: { name: 'nats-creds', key: 'app.creds' } },
    });
    const job = buildTrialJob(template, { experimentId: 'exp', trialId: '12', attempt: 2, namespace: 'ns', owner: { apiVersion: 'batch/v1', kind: 'Job', name: 'anchor', uid: 'u' } });
    const pod = job.spec!.template.spec!;
    expect(job.spec).toMatchObject({ backoffLimit: 3, activeDeadlineSeconds: 3600, ttlSecondsAfterFinished: 600 });
    expect(job.spec!.podFailurePolicy!.rules).toEqual([
      { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
      { action: 'FailJob', onExitCodes: { containerName: 'trainer', operator: 'In', values: [2] } },
    ]);
    expect(pod).toMatchObject({ restartPolicy: 'Never', serviceAccountName: 'trial-sa', priorityClassName: 'dcl-enas-trials', automountServiceAccountToken: false });
    expect(pod.nodeSelector).toEqual({ 'nvidia.com/gpu.product': 'A100' });
    expect(pod.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(pod.containers[0]!.resources).toEqual({ requests: { 'nvidia.com/gpu': '2' }, limits: { 'nvidia.com/gpu': '2' } });
    expect(pod.containers[0]!.env).toEqual(expect.arrayContaining([{ name: 'NATS_CREDS_FILE', value: '/var/run/secrets/dcl-enas/nats/nats.creds' }]));
    expect(pod.volumes).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'nats-creds', secret: expect.objectContaining({ secretName: 'nats-creds' }) })]));
    expect(job.metadata!.ownerReferences).toEqual([{ apiVersion: 'batch/v1', kind: 'Job', name: 'anchor', uid: 'u' }]);
    expect(job.metadata!.labels).toMatchObject({ [LABELS.experiment]: 'exp', [LABELS.trial]: '12', [LABELS.attempt]: '2', [LABELS.role]: 'trial' });
    expect(pod.containers[0]!.terminationMessagePolicy).toBe('FallbackToLogsOnError');
  });
});

describe('extended resources other than nvidia.com/gpu (MIG slices, shared GPUs, other vendors)', () => {
  const podOf = (input: TrialTemplateInput) => {
    const job = buildTrialJob(parseTrialTemplate(input), { experimentId: 'e', trialId: '1', attempt: 1, namespace: 'ns' });
    expect(k8sObjectProblems(job)).toEqual([]);
    return job.spec!.template.spec!;
  };

  it('a MIG slice is requested and limited once; the trial tolerates its taint and the nvidia.com/gpu one', () => {
    const pod = podOf({ image: 'trainer:1', gpus: 1, gpuResource: 'nvidia.com/mig-1g.10gb', resources: { requests: { cpu: '2' }, limits: { memory: '8Gi' } } });
    expect(pod.containers[0]!.resources).toEqual({ requests: { cpu: '2', 'nvidia.com/mig-1g.10gb': '1' }, limits: { memory: '8Gi', 'nvidia.com/mig-1g.10gb': '1' } });
    expect(pod.tolerations).toEqual([
      { key: 'nvidia.com/mig-1g.10gb', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
    ]);
  });

  it('an AMD GPU tolerates amd.com/gpu only; a toleration the template has is not added twice', () => {
    expect(podOf({ image: 'trainer:1', gpus: 2, gpuResource: 'amd.com/gpu' }).tolerations).toEqual([{ key: 'amd.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    const shared = podOf({ image: 'trainer:1', gpus: 1, gpuResource: 'nvidia.com/gpu.shared', tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoExecute' }] });
    expect(shared.tolerations).toEqual([
      { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoExecute' },
      { key: 'nvidia.com/gpu.shared', operator: 'Exists', effect: 'NoSchedule' },
    ]);
    expect(shared.containers[0]!.resources).toEqual({ requests: { 'nvidia.com/gpu.shared': '1' }, limits: { 'nvidia.com/gpu.shared': '1' } });
  });

  it('no GPU: no extended resource and no toleration added; an empty affinity and runtime class are valid', () => {
    const pod = podOf({ image: 'trainer:1', gpus: 0, gpuResource: 'nvidia.com/mig-1g.10gb', affinity: {}, runtimeClassName: '' });
    expect(pod.containers[0]!.resources).toEqual({});
    expect(pod.tolerations).toBeUndefined();
    expect(pod.runtimeClassName).toBeUndefined();
  });
});

describe('NATS TLS and NKey seed of a trial Job', () => {
  it('mounts the Secrets read-only and points NATS_TLS_*_FILE and NATS_NKEY_SEED_FILE at them; the Job stays valid', () => {
    const template = parseTrialTemplate({ image: 'trainer:1', nats: { url: 'tls://nats:4222', nkeySeedSecret: { name: 'nats-nkeys', key: 'trainer' }, tls: { secretName: 'nats-tls', clientCertificate: true } } });
    const job = buildTrialJob(template, { experimentId: 'e', trialId: '1', attempt: 1, namespace: 'ns' });
    const pod = job.spec!.template.spec!;
    expect(k8sObjectProblems(job)).toEqual([]);
    expect(podSecurityProblems('job', pod as unknown as Record<string, unknown>)).toEqual([]);
    expect(pod.volumes).toEqual(
      expect.arrayContaining([
        { name: 'nats-nkey', secret: { secretName: 'nats-nkeys', items: [{ key: 'trainer', path: 'user.nk' }], defaultMode: 0o440 } },
        { name: 'nats-tls', secret: { secretName: 'nats-tls', items: [{ key: 'ca.crt', path: 'ca.pem' }, { key: 'tls.crt', path: 'client.pem' }, { key: 'tls.key', path: 'client.key' }], defaultMode: 0o440 } },
      ]),
    );
    const container = pod.containers[0]!;
    expect(container.volumeMounts).toEqual(expect.arrayContaining([{ name: 'nats-nkey', mountPath: '/var/run/secrets/dcl-enas/nats-nkey', readOnly: true }, { name: 'nats-tls', mountPath: '/var/run/secrets/dcl-enas/nats-tls', readOnly: true }]));
    expect(container.env).toEqual(
      expect.arrayContaining([
        { name: 'NATS_NKEY_SEED_FILE', value: '/var/run/secrets/dcl-enas/nats-nkey/user.nk' },
        { name: 'NATS_TLS_CA_FILE', value: '/var/run/secrets/dcl-enas/nats-tls/ca.pem' },
        { name: 'NATS_TLS_CERT_FILE', value: '/var/run/secrets/dcl-enas/nats-tls/client.pem' },
        { name: 'NATS_TLS_KEY_FILE', value: '/var/run/secrets/dcl-enas/nats-tls/client.key' },
      ]),
    );
    // server-only TLS: the CA alone
    const caOnly = buildTrialJob(parseTrialTemplate({ image: 'trainer:1', nats: { tls: { secretName: 'nats-ca', caKey: 'ca.pem' } } }), { experimentId: 'e', trialId: '1', attempt: 1, namespace: 'ns' });
    const names = caOnly.spec!.template.spec!.containers[0]!.env!.map((e) => e.name);
    expect(names).toContain('NATS_TLS_CA_FILE');
    expect(names).not.toContain('NATS_TLS_CERT_FILE');
    expect(caOnly.spec!.template.spec!.volumes).toEqual(expect.arrayContaining([{ name: 'nats-tls', secret: { secretName: 'nats-ca', items: [{ key: 'ca.pem', path: 'ca.pem' }], defaultMode: 0o440 } }]));
  });
});

describe("a user trial's Job (trial.command, the user's image)", () => {
  const template = parseTrialTemplate({
    image: 'trainer:1',
    gpus: 1,
    nodeSelector: { pool: 'gpu' },
    env: [{ name: 'OPERATOR_SETTING', value: '1' }],
    envFrom: [{ secretRef: { name: 'dcl-enas-nats' } }],
    nats: { url: 'nats://n:4222', passwordSecret: { name: 'dcl-enas-nats', key: 'trainer-password' }, credentialsSecret: { name: 'nats-creds', key: 'app.creds' } },
    data: { claimName: 'dcl-enas-data' },
  });
  const userTrial = {
    image: 'registry.example/team/train:2',
    command: ['python3', '/app/train.py', '--epochs', '3'],
    env: { ENAS_TRIAL_ID: '7', ENAS_EXPERIMENT_ID: 'exp', ENAS_ARCH: '|conv3~0|', LR: '0.1' },
    archJson: '{"protocol": 1}\n',
    retries: 2,
    timeoutSeconds: 1800,
  };
  const job = buildTrialJob(template, { experimentId: 'exp', trialId: '7', attempt: 1, namespace: 'ns', userTrial });
  const pod = job.spec!.template.spec!;
  const container = pod.containers[0]!;

  it('runs the image and command unchanged, with no NATS setting, Secret or trainer variable; valid and within the pod security rules', () => {
    expect(k8sObjectProblems(job)).toEqual([]);
    expect(podSecurityProblems('job', pod as unknown as Record<string, unknown>)).toEqual([]);
    expect(container).toMatchObject({ name: 'trial', image: 'registry.example/team/train:2', command: ['python3', '/app/train.py', '--epochs', '3'] });
    expect(container.args).toBeUndefined();
    expect(container.envFrom).toBeUndefined();
    expect(container.env).toEqual([
      { name: 'HOME', value: '/tmp' },
      { name: 'ENAS_TRIAL_ID', value: '7' },
      { name: 'ENAS_EXPERIMENT_ID', value: 'exp' },
      { name: 'ENAS_ARCH', value: '|conv3~0|' },
      { name: 'LR', value: '0.1' },
      { name: 'ENAS_TRIAL_DIR', value: '/enas/trial' },
    ]);
    expect(pod.volumes!.filter((v) => v.secret || v.persistentVolumeClaim)).toEqual([]);
    expect(pod).toMatchObject({ automountServiceAccountToken: false, nodeSelector: { pool: 'gpu' } });
    expect(container.resources!.limits!['nvidia.com/gpu']).toBe('1');
  });

  it('projects arch.json from a pod annotation, makes result.json the termination message file, maps retries and the timeout', () => {
    expect(job.spec!.template.metadata!.annotations!['dcl-enas.io/arch-json']).toBe('{"protocol": 1}\n');
    expect(job.metadata!.annotations!['dcl-enas.io/arch-json']).toBeUndefined();
    expect(pod.volumes).toEqual(expect.arrayContaining([{ name: 'arch', downwardAPI: { items: [{ path: 'arch.json', fieldRef: { fieldPath: "metadata.annotations['dcl-enas.io/arch-json']" } }] } }]));
    expect(container.volumeMounts).toEqual(expect.arrayContaining([{ name: 'trial', mountPath: '/enas/trial' }, { name: 'arch', mountPath: '/enas/trial/arch.json', subPath: 'arch.json', readOnly: true }]));
    expect(container).toMatchObject({ terminationMessagePath: '/enas/trial/result.json', terminationMessagePolicy: 'FallbackToLogsOnError' });
    expect(job.spec).toMatchObject({ backoffLimit: 2, activeDeadlineSeconds: 1800 });
    // The trainer's non-retryable exit codes are not the user's.
    expect(job.spec!.podFailurePolicy!.rules).toEqual([{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }]);
  });
});

describe('labels and names', () => {
  it('a Job name is deterministic per (experiment, trial, attempt) and differs otherwise', () => {
    expect(trialJobName('e', 't', 1)).toBe(trialJobName('e', 't', 1));
    expect(new Set([trialJobName('e', 't', 1), trialJobName('e', 't', 2), trialJobName('e', 'u', 1), trialJobName('f', 't', 1), trialJobName('e-t', '', 1)]).size).toBe(5);
    expect(trialJobName('E'.repeat(100), 'x'.repeat(100), 12)).toMatch(DNS_LABEL);
  });

  it('label values keep valid ids and hash the rest', () => {
    expect(labelValue('trial-7')).toBe('trial-7');
    expect(labelValue('a/b c')).toMatch(/^h-[0-9a-f]{40}$/);
    expect(labelValue('x'.repeat(64))).toMatch(/^h-/);
    expect(labelValue('a/b c')).not.toBe(labelValue('a/b d'));
  });
});
