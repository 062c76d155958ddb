import fc from 'fast-check';

/**
 * Trial template fields, valid and invalid, for the property tests that hold two checks of one
 * template against each other (parseTrialTemplate, the JSON Schema made from it, the chart's
 * values.schema.json): each field is mostly a valid value, now and then a wrong one of the
 * right shape or any JSON value, so that a template of many fields is still often valid and
 * both answers come up often.
 */
const field = <T>(valid: fc.Arbitrary<T>, invalid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> =>
  fc.oneof({ arbitrary: valid, weight: 100 }, { arbitrary: invalid, weight: 2 }, { arbitrary: fc.jsonValue({ maxDepth: 2 }), weight: 1 });

const count = (max: number): fc.Arbitrary<unknown> => field(fc.integer({ min: 0, max }), fc.constantFrom(-1, 1.5, '2', 2 ** 53, null, true));
const positive = (max: number): fc.Arbitrary<unknown> => field(fc.integer({ min: 1, max }), fc.constantFrom(0, -3, 2.5, '10', 2 ** 53));

export const EXTENDED_RESOURCE_NAMES = ['nvidia.com/gpu', 'nvidia.com/mig-1g.10gb', 'nvidia.com/mig-3g.40gb', 'nvidia.com/gpu.shared', 'amd.com/gpu', 'gpu.intel.com/i915', 'habana.ai/gaudi', 'example.com/A_b.c-9'];
export const NOT_EXTENDED_RESOURCE_NAMES = [
  'gpu',
  'cpu',
  'kubernetes.io/gpu',
  'example.kubernetes.io/gpu',
  'requests.nvidia.com/gpu',
  'Nvidia.com/gpu',
  'nvidia.com/',
  '/gpu',
  'nvidia.com/gpu/x',
  'nvidia.com/-gpu',
  'nvidia..com/gpu',
  `nvidia.com/${'g'.repeat(64)}`,
  `${'a'.repeat(245)}/gpu`,
  '',
];

export const gpuResourceArb = field(fc.constantFrom(...EXTENDED_RESOURCE_NAMES), fc.oneof(fc.constantFrom(...NOT_EXTENDED_RESOURCE_NAMES), fc.string({ maxLength: 12 })));

const quantity = field(fc.constantFrom('500m', '2', '4Gi', '1.5', '100Mi', '1e3', 2, 0.5, 0), fc.constantFrom('lots', '', '-', 'Gi', -1, true, null));
const resourceName = field(fc.constantFrom('cpu', 'memory', 'ephemeral-storage'), fc.constantFrom('nvidia.com/gpu', 'amd.com/gpu', 'hugepages-2Mi', 'storage')) as fc.Arbitrary<string>;
const resourceList = fc.array(fc.tuple(resourceName.filter((name) => typeof name === 'string'), quantity), { maxLength: 3 }).map((entries) => Object.fromEntries(entries));
export const resourcesArb = field(fc.record({ requests: resourceList, limits: resourceList }, { requiredKeys: [] }), fc.constantFrom(null, [], 'big', { requests: [] }, { cpu: '1' }));

const LABEL_KEYS = ['nvidia.com/gpu.present', 'nvidia.com/gpu.product', 'cloud.google.com/gke-accelerator', 'pool', 'a.b/c_d.e-f'];
const BAD_LABEL_KEYS = ['a b', '-x', 'x-', 'Upper.Case/x', 'x'.repeat(64), '/x', 'a/b/c'];
const LABEL_VALUES = ['true', '', 'a100', 'nvidia-tesla-t4', 'A_b.c-9'];
const BAD_LABEL_VALUES = ['a b', '-x', 'x'.repeat(64)];
export const nodeSelectorArb = field(
  fc.dictionary(fc.constantFrom(...LABEL_KEYS), fc.constantFrom(...LABEL_VALUES), { maxKeys: 3 }),
  fc.oneof(fc.dictionary(fc.constantFrom(...LABEL_KEYS, ...BAD_LABEL_KEYS), fc.oneof(fc.constantFrom(...LABEL_VALUES, ...BAD_LABEL_VALUES), fc.constant(1)), { minKeys: 1, maxKeys: 3 }), fc.constant([])),
);

const toleration = fc.record(
  {
    key: field(fc.constantFrom('nvidia.com/gpu', 'dedicated', 'amd.com/gpu'), fc.constant(3)),
    operator: field(fc.constantFrom('Exists', 'Equal'), fc.constantFrom('Gt', 'exists')),
    value: field(fc.constantFrom('true', 'gpu'), fc.constant(false)),
    effect: field(fc.constantFrom('NoSchedule', 'PreferNoSchedule', 'NoExecute'), fc.constantFrom('Sometimes', '')),
    tolerationSeconds: field(fc.integer({ min: -10, max: 3600 }), fc.constantFrom(1.5, '60')),
  },
  { requiredKeys: [] },
);
export const tolerationsArb = field(fc.array(toleration, { maxLength: 2 }), fc.constantFrom({}, 'all', [null], [{ colour: 'red' }]));

const requirement = fc.record(
  { key: field(fc.constantFrom('gpu', 'nvidia.com/gpu.product'), fc.constant('')), operator: field(fc.constantFrom('In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt'), fc.constant('Near')), values: field(fc.array(fc.constantFrom('a100', '4'), { maxLength: 2 }), fc.constant([1])) },
  { requiredKeys: ['key', 'operator'] },
);
const term = fc.record({ matchExpressions: fc.array(requirement, { maxLength: 2 }), matchFields: fc.array(requirement, { maxLength: 1 }) }, { requiredKeys: [] });
const nodeAffinity = fc.record(
  {
    requiredDuringSchedulingIgnoredDuringExecution: field(fc.record({ nodeSelectorTerms: fc.array(term, { minLength: 1, maxLength: 2 }) }), fc.constant({ nodeSelectorTerms: [] })),
    preferredDuringSchedulingIgnoredDuringExecution: fc.array(fc.record({ weight: field(fc.integer({ min: 1, max: 100 }), fc.constantFrom(0, 101)), preference: term }), { maxLength: 2 }),
  },
  { requiredKeys: [] },
);
export const affinityArb = field(
  fc.oneof(fc.constant({}), fc.record({ nodeAffinity })),
  fc.constantFrom({ podAffinity: {} }, { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [] } }, { nodeAffinity: {}, podAffinity: {} }, [], 'gpu-nodes'),
);

const NAMES = ['dcl-enas-trials', 'nvidia', 'gvisor', 'a.b-c'];
const BAD_NAMES = ['Bad_Name', '-x', 'a b', 'x'.repeat(254)];
export const runtimeClassNameArb = field(fc.constantFrom('', ...NAMES), fc.constantFrom(...BAD_NAMES, 3));
export const priorityClassNameArb = field(fc.constantFrom(...NAMES), fc.constantFrom('', ...BAD_NAMES));

export const pendingArb = field(
  fc.record({ timeoutSeconds: positive(7200), action: field(fc.constantFrom('fail', 'retry'), fc.constantFrom('wait', '')), maxRetries: count(5) }, { requiredKeys: [] }),
  fc.constantFrom(null, 'retry', { retries: 1 }),
);

export const gpusArb = count(8);
export const backoffLimitArb = count(10);
export const activeDeadlineSecondsArb = positive(7 * 86400);
export const ttlSecondsAfterFinishedArb = count(86400);
export const maxConcurrentTrialsArb = positive(64);

const envName = field(fc.constantFrom('A', 'B_1', 'TF.X', '-a'), fc.constantFrom('1A', 'a b', ''));
const objectName = (...names: string[]) => field(fc.constantFrom(...names), fc.constantFrom('Bad_Name', ''));
const keyRef = fc.record({ name: objectName('dcl-enas-api', 'team-secret'), key: field(fc.constantFrom('token', 'a'), fc.constant('')), optional: fc.boolean() }, { requiredKeys: ['name', 'key'] });
const envVar = fc.oneof(
  { arbitrary: fc.record({ name: envName, value: field(fc.string({ maxLength: 6 }), fc.constant(1)) }), weight: 10 },
  { arbitrary: fc.record({ name: envName, secretKeyRef: keyRef }), weight: 10 },
  { arbitrary: fc.record({ name: envName, configMapKeyRef: keyRef }), weight: 10 },
  { arbitrary: fc.record({ name: envName, value: fc.constant('x'), secretKeyRef: keyRef }), weight: 1 },
);
const envFromSource = fc.oneof(
  { arbitrary: fc.record({ secretRef: fc.record({ name: objectName('dcl-enas-api', 'dcl-enas-nats') }) }), weight: 10 },
  { arbitrary: fc.record({ configMapRef: fc.record({ name: objectName('dcl-enas-config') }) }), weight: 10 },
  { arbitrary: fc.constant({ secretRef: { name: 'a' }, prefix: 'X_' }), weight: 1 },
);

/** Whole templates: every field of trialTemplateSchema, a wrong key now and then. */
export const trialTemplateInputArb: fc.Arbitrary<Record<string, unknown>> = fc
  .record(
    {
      image: field(fc.constantFrom('registry.example.com/dcl-enas/trainer-gpu:0.1.0', 'python:3.12'), fc.constantFrom('', 7)),
      imagePullPolicy: field(fc.constantFrom('Always', 'IfNotPresent', 'Never'), fc.constant('Sometimes')),
      imagePullSecrets: field(fc.array(fc.constantFrom('regcred', 'pull'), { maxLength: 2 }), fc.constant(['Bad_Name'])),
      command: field(fc.array(fc.constantFrom('node', 'python', '-c'), { minLength: 1, maxLength: 3 }), fc.constantFrom([], [''], 'node')),
      args: field(fc.array(fc.string({ maxLength: 4 }), { maxLength: 2 }), fc.constant([1])),
      env: field(fc.array(envVar, { maxLength: 2 }), fc.constant({ A: '1' })),
      envFrom: field(fc.array(envFromSource, { maxLength: 2 }), fc.constant([{}])),
      nats: field(
        fc.record({ url: field(fc.constantFrom('nats://nats:4222', 'tls://a:4222,tls://b:4222'), fc.constant('')), passwordSecret: keyRef, tls: fc.record({ secretName: objectName('nats-tls'), clientCertificate: fc.boolean() }, { requiredKeys: ['secretName'] }) }, { requiredKeys: [] }),
        fc.constantFrom({ url: 'nats://x', user: 'me' }, null),
      ),
      data: field(fc.record({ claimName: objectName('dcl-enas-data'), mountPath: field(fc.constant('/data'), fc.constantFrom('data', '/a:b')) }, { requiredKeys: ['claimName'] }), fc.constant({ mountPath: '/data' })),
      cache: field(fc.record({ claimName: objectName('cache'), mountPath: field(fc.constant('/cache'), fc.constant('cache')), sizeLimit: field(fc.constant('1Gi'), fc.constantFrom('big', '')) }, { requiredKeys: [] }), fc.constant('/cache')),
      resources: resourcesArb,
      gpus: gpusArb,
      gpuResource: gpuResourceArb,
      nodeSelector: nodeSelectorArb,
      tolerations: tolerationsArb,
      affinity: affinityArb,
      priorityClassName: priorityClassNameArb,
      runtimeClassName: runtimeClassNameArb,
      serviceAccountName: field(fc.constantFrom('dcl-enas-trainer', 'default'), fc.constantFrom('', 'Bad_Name')),
      backoffLimit: backoffLimitArb,
      activeDeadlineSeconds: activeDeadlineSecondsArb,
      ttlSecondsAfterFinished: ttlSecondsAfterFinishedArb,
      nonRetryableExitCodes: field(fc.array(fc.integer({ min: 1, max: 255 }), { maxLength: 3 }), fc.constantFrom([0], [256], [1.5])),
      pending: pendingArb,
      maxConcurrentTrials: maxConcurrentTrialsArb,
      labels: field(fc.dictionary(fc.constantFrom(...LABEL_KEYS), fc.constantFrom(...LABEL_VALUES), { maxKeys: 2 }), fc.constant({ 'a b': 'x' })),
      annotations: field(fc.dictionary(fc.constantFrom(...LABEL_KEYS), fc.string({ maxLength: 6 }), { maxKeys: 2 }), fc.constant({ x: 1 })),
      gpu: fc.constant(1),
      nodeselector: fc.constant({}),
    },
    { requiredKeys: ['image'] },
  )
  .map((template) => {
    // A misspelt key only now and then (fc.record leaves each optional key out half the time).
    const { gpu, nodeselector, ...rest } = template as Record<string, unknown>;
    return gpu !== undefined && nodeselector !== undefined ? { ...rest, gpu } : rest;
  })
  // What a YAML or JSON file can hold: no undefined, no -0.
  .map((template) => JSON.parse(JSON.stringify(template)) as Record<string, unknown>);

/** Trial policies (the `policy` section of the default template file, the chart's trials.policy). */
export const trialPolicyInputArb: fc.Arbitrary<unknown> = field(
  fc.record(
    {
      overridableFields: field(fc.uniqueArray(fc.constantFrom('gpus', 'resources', 'image', 'env', 'envFrom', 'nodeSelector', 'serviceAccountName'), { maxLength: 4 }), fc.constantFrom(['gpu'], 'gpus', [1])),
      allowedImagePrefixes: field(fc.array(fc.constantFrom('registry.example.com/', 'registry.example.com/ml/', 'python:', 'trainer@'), { maxLength: 2 }), fc.constantFrom(['registry.example.com'], [''], ['a b/'], 'python:')),
      allowedSecrets: field(fc.array(fc.constantFrom('team-wandb', 'regcred'), { maxLength: 2 }), fc.constantFrom(['Bad_Name'], [''], 'team-wandb')),
      allowImages: fc.constant(true),
    },
    { requiredKeys: [] },
  ).map(({ allowImages, ...policy }) => (allowImages !== undefined && Object.keys(policy).length === 3 ? { ...policy, allowImages } : policy)),
  fc.constantFrom(null, [], 'strict'),
);
