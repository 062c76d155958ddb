import { z } from 'zod';
import { UserError } from '@dcl-enas/common';

/**
 * The trial template: how one trial's Kubernetes Job looks. It is the `trialTemplate` section
 * of an experiment spec (the experiment spec schema embeds `trialTemplateSchema`); the launcher
 * turns it plus (experiment id, trial id, attempt) into a batch/v1 Job.
 */

/** Kubernetes resource quantity (the API server's own pattern). */
const QUANTITY = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/;
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;

/**
 * An extended resource (what a device plugin offers): `<domain>/<name>`, the domain a DNS name
 * of at most 244 characters (Kubernetes prefixes it with `requests.` for quotas), the name at
 * most 63 characters.
 */
const EXTENDED_RESOURCE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

const quantity = z.union([z.string().regex(QUANTITY, 'must be a Kubernetes quantity such as 500m, 2, 4Gi'), z.number().nonnegative()]);
export const objectName = z.string().max(253).regex(DNS_SUBDOMAIN, 'must be a lowercase DNS name (a-z, 0-9, -, .)');

/**
 * An extended resource name such as nvidia.com/gpu, nvidia.com/mig-1g.10gb, nvidia.com/gpu.shared
 * or amd.com/gpu. Names in the kubernetes.io domain and `requests.*` are Kubernetes' own. The JSON
 * Schema carries the same refusal as `not` (trialTemplateJsonSchema), so both checks agree.
 */
export const extendedResourceName = z
  .string()
  .regex(EXTENDED_RESOURCE, 'must be an extended resource name <domain>/<name> such as nvidia.com/gpu, nvidia.com/mig-1g.10gb, nvidia.com/gpu.shared or amd.com/gpu')
  .regex(/^[-.a-z0-9]{1,244}\//, 'its domain must be at most 244 characters')
  .refine((name) => !name.includes('kubernetes.io/') && !name.startsWith('requests.'), 'must be outside the kubernetes.io domain and not start with "requests." (those names are Kubernetes\' own resources, not extended ones)')
  .meta({ not: { anyOf: [{ pattern: 'kubernetes\\.io/' }, { pattern: '^requests\\.' }] } });

/**
 * CPU, memory and ephemeral storage. Extended resources (GPUs, MIG slices, other devices) are not
 * set here but with `gpus` and `gpuResource`: Kubernetes wants their request equal to their limit,
 * which one count says once.
 */
const resourceList = z
  .strictObject({
    cpu: quantity.optional(),
    memory: quantity.optional(),
    'ephemeral-storage': quantity.optional(),
  })
  .optional();

const secretKeyRef = z.strictObject({ name: objectName, key: z.string().min(1), optional: z.boolean().optional() });

const envVar = z.union([
  z.strictObject({ name: z.string().regex(ENV_NAME), value: z.string() }),
  z.strictObject({ name: z.string().regex(ENV_NAME), secretKeyRef }),
  z.strictObject({ name: z.string().regex(ENV_NAME), configMapKeyRef: secretKeyRef }),
]);

const toleration = z.strictObject({
  key: z.string().optional(),
  operator: z.enum(['Exists', 'Equal']).optional(),
  value: z.string().optional(),
  effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']).optional(),
  tolerationSeconds: z.number().int().optional(),
});

const nodeSelectorRequirement = z.strictObject({
  key: z.string().min(1),
  operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt']),
  values: z.array(z.string()).optional(),
});
const nodeSelectorTerm = z.strictObject({
  matchExpressions: z.array(nodeSelectorRequirement).optional(),
  matchFields: z.array(nodeSelectorRequirement).optional(),
});

/**
 * Node affinity only: trials are placed on nodes, they do not co-locate with other pods (the
 * chart's `gpu.affinity` has this schema too). `{}` is no affinity.
 */
const affinity = z.strictObject({
  nodeAffinity: z
    .strictObject({
      requiredDuringSchedulingIgnoredDuringExecution: z
        .strictObject({ nodeSelectorTerms: z.array(nodeSelectorTerm).min(1) })
        .optional(),
      preferredDuringSchedulingIgnoredDuringExecution: z
        .array(z.strictObject({ weight: z.number().int().min(1).max(100), preference: nodeSelectorTerm }))
        .optional(),
    })
    .optional(),
});

const natsSettings = z.strictObject({
  /** NATS server URL(s), comma-separated, as the services take them. */
  url: z.string().min(1).default('nats://nats:4222'),
  /** A Secret key holding a NATS credentials file (JWT + nkey); mounted read-only as a file. */
  credentialsSecret: secretKeyRef.optional(),
  /** A Secret key holding a NATS token. */
  tokenSecret: secretKeyRef.optional(),
  /** Secret keys holding a NATS user name and password. */
  userSecret: secretKeyRef.optional(),
  passwordSecret: secretKeyRef.optional(),
  /** A Secret key holding an NKey user seed (`SU...`); mounted read-only as a file (NATS_NKEY_SEED_FILE). */
  nkeySeedSecret: secretKeyRef.optional(),
  /**
   * TLS to NATS: a Secret with the CA that signed the server's certificate (NATS_TLS_CA_FILE) and,
   * for mutual TLS, a client certificate and key (cert-manager's keys by default); mounted read-only.
   */
  tls: z
    .strictObject({
      secretName: objectName,
      caKey: z.string().min(1).default('ca.crt'),
      /** Mutual TLS: also mount the client certificate and key. */
      clientCertificate: z.boolean().default(false),
      certKey: z.string().min(1).default('tls.crt'),
      keyKey: z.string().min(1).default('tls.key'),
    })
    .optional(),
});

const pendingPolicy = z.strictObject({
  /** A trial whose pod has not started running this long after its Job was created is stuck. */
  timeoutSeconds: z.number().int().positive().default(600),
  /** What to do with a stuck trial: delete its Job and fail it, or delete it and try a new Job. */
  action: z.enum(['fail', 'retry']).default('retry'),
  /** New Jobs a stuck trial may get before it fails (action `retry`). */
  maxRetries: z.number().int().nonnegative().default(1),
});

/** A PersistentVolumeClaim with the benchmark tables and datasets, mounted read-only (ENAS_DATA_DIR). */
const dataVolume = z.strictObject({
  claimName: objectName,
  mountPath: z.string().regex(/^\/[^:]*$/, 'must be an absolute path').default('/data'),
});

/**
 * The trainer's cache (ENAS_CACHE_DIR; the root filesystem is read-only): ECG trials cache the
 * MIT-BIH beat set there (about 54 MB, built by the first trial that needs it, then read in about
 * 0.5 s). By default an emptyDir of the Job's pod, so each trial builds it; with `claimName`, a
 * PersistentVolumeClaim the trials share (ReadWriteMany when they run on several nodes).
 */
const cacheVolume = z.strictObject({
  claimName: objectName.optional(),
  mountPath: z.string().regex(/^\/[^:]*$/, 'must be an absolute path').default('/cache'),
  /** Size limit of the emptyDir (without `claimName`). */
  sizeLimit: z.string().regex(QUANTITY, 'must be a Kubernetes quantity such as 1Gi').default('1Gi'),
});

export const DEFAULT_TRAINER_COMMAND = ['node', '-r', './tools/register.cjs', 'apps/trainer/src/job-mode/main.ts'];

export const trialTemplateSchema = z.strictObject({
  image: z.string().min(1),
  imagePullPolicy: z.enum(['Always', 'IfNotPresent', 'Never']).optional(),
  imagePullSecrets: z.array(objectName).default([]),
  /** The trainer in job mode; the image's working directory is the repository root. */
  command: z.array(z.string().min(1)).min(1).default(DEFAULT_TRAINER_COMMAND),
  args: z.array(z.string()).default([]),
  env: z.array(envVar).default([]),
  /** Whole Secrets or ConfigMaps exposed as environment variables. */
  envFrom: z
    .array(z.union([z.strictObject({ secretRef: z.strictObject({ name: objectName }) }), z.strictObject({ configMapRef: z.strictObject({ name: objectName }) })]))
    .default([]),
  nats: natsSettings.prefault({}),
  data: dataVolume.optional(),
  cache: cacheVolume.prefault({}),
  resources: z.strictObject({ requests: resourceList, limits: resourceList }).prefault({}),
  /** GPUs per trial: both the request and the limit of `gpuResource` (Kubernetes wants them equal). */
  gpus: z.number().int().nonnegative().default(0),
  /**
   * The extended resource `gpus` counts: nvidia.com/gpu, a MIG slice (nvidia.com/mig-1g.10gb), a
   * time-sliced or MPS share (nvidia.com/gpu.shared), amd.com/gpu... A trial with gpus > 0
   * tolerates the NoSchedule taint of that name (and nvidia.com/gpu for an nvidia.com resource).
   */
  gpuResource: extendedResourceName.default('nvidia.com/gpu'),
  nodeSelector: z.record(z.string().regex(LABEL_KEY), z.string().regex(LABEL_VALUE)).default({}),
  tolerations: z.array(toleration).default([]),
  affinity: affinity.optional(),
  priorityClassName: objectName.optional(),
  /** `""` is none (the chart's value when no runtime class is set). */
  runtimeClassName: z.union([objectName, z.literal('')]).optional(),
  serviceAccountName: objectName.default('dcl-enas-trainer'),
  /** Pod retries inside one Job (the Job controller restarts failed pods this many times). */
  backoffLimit: z.number().int().nonnegative().default(2),
  /** Wall-clock limit of one Job, all its pods included. */
  activeDeadlineSeconds: z.number().int().positive().default(6 * 3600),
  /** How long a finished Job (and its pods' logs) stays before Kubernetes deletes it. */
  ttlSecondsAfterFinished: z.number().int().nonnegative().default(3600),
  /** Exit codes that mean "retrying will not help" (bad input): the Job fails at once. */
  nonRetryableExitCodes: z.array(z.number().int().min(1).max(255)).default([2]),
  pending: pendingPolicy.prefault({}),
  /** Trials of this experiment running at once (the launcher also has a global limit). */
  maxConcurrentTrials: z.number().int().positive().default(4),
  labels: z.record(z.string().regex(LABEL_KEY), z.string().regex(LABEL_VALUE)).default({}),
  annotations: z.record(z.string().regex(LABEL_KEY), z.string()).default({}),
});

export type TrialTemplate = z.output<typeof trialTemplateSchema>;
export type TrialTemplateInput = z.input<typeof trialTemplateSchema>;

/** The trial template as JSON Schema, for an experiment spec schema that embeds it (editors, GET /schema). */
export function trialTemplateJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(trialTemplateSchema, { io: 'input' }) as Record<string, unknown>;
}

/**
 * Validates a trial template; bad input is one UserError line naming the field and the fix. The
 * schema is all there is to it (no check across fields), so its JSON Schema
 * (trialTemplateJsonSchema, the chart's values.schema.json) accepts exactly what this accepts.
 */
export function parseTrialTemplate(input: unknown, where = 'trialTemplate'): TrialTemplate {
  const parsed = trialTemplateSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new UserError(zodProblem(parsed.error.issues[0]!, where, 'fix that field of the trial template (see docs/deploy.md, "The trial template")'));
}

/** One line for a zod issue: the field's path under `where`, the problem, the fix. */
export function zodProblem(issue: z.core.$ZodIssue, where: string, fix: string): string {
  const path = [where, ...issue.path.map(String)].join('.');
  const resources = issue.path.length === 2 && issue.path[0] === 'resources' && (issue.path[1] === 'requests' || issue.path[1] === 'limits');
  if (resources && issue.code === 'unrecognized_keys' && issue.keys.some((key) => key.includes('/'))) {
    return `${path}: ${issue.message}; set GPUs and other extended resources with ${where}.gpus and ${where}.gpuResource (one count, both the request and the limit)`;
  }
  return `${path}: ${issue.message}; ${fix}`;
}
