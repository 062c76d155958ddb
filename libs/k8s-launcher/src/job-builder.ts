import type { V1Container, V1EnvVar, V1Job, V1OwnerReference, V1PodSpec, V1Toleration, V1Volume, V1VolumeMount } from './k8s-client';
import {
  ANNOTATIONS,
  experimentAnchorName,
  experimentLabels,
  trialJobName,
  trialLabels,
} from './labels';
import type { TrialTemplate } from './trial-template';
import { userTrialPodParts, type UserTrial } from './user-trial-pod';
import { NATS_CREDS_FILE_NAME, NATS_CREDS_MOUNT, NATS_NKEY_FILE_NAME, NATS_NKEY_MOUNT, NATS_TLS_MOUNT, RUN_AS_USER, TERMINATION_LOG_PATH, TRAINER_ENV } from './trainer-env';

export const TRAINER_CONTAINER = 'trainer';

export interface TrialJobRequest {
  experimentId: string;
  trialId: string;
  /** 1 for the first Job of a trial; a retried stuck trial gets a new Job with the next number. */
  attempt: number;
  namespace: string;
  /** The experiment's anchor Job: deleting it deletes this Job (Kubernetes garbage collection). */
  owner?: V1OwnerReference;
  /** Extra variables for this trial only (they cannot replace the launcher's own). */
  env?: Record<string, string>;
  /** The user's image and command instead of the trainer (a spec with trial.command): no NATS settings in the pod. */
  userTrial?: UserTrial;
}

const POD_SECURITY = {
  runAsNonRoot: true,
  runAsUser: RUN_AS_USER,
  runAsGroup: RUN_AS_USER,
  fsGroup: RUN_AS_USER,
  seccompProfile: { type: 'RuntimeDefault' },
};

const CONTAINER_SECURITY = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  privileged: false,
  capabilities: { drop: ['ALL'] },
};

function natsEnv(template: TrialTemplate): V1EnvVar[] {
  const { nats } = template;
  const env: V1EnvVar[] = [{ name: TRAINER_ENV.natsUrl, value: nats.url }];
  const fromSecret = (name: string, ref: { name: string; key: string; optional?: boolean }): V1EnvVar => ({
    name,
    valueFrom: { secretKeyRef: { name: ref.name, key: ref.key, ...(ref.optional === undefined ? {} : { optional: ref.optional }) } },
  });
  if (nats.tokenSecret) env.push(fromSecret(TRAINER_ENV.natsToken, nats.tokenSecret));
  if (nats.userSecret) env.push(fromSecret(TRAINER_ENV.natsUser, nats.userSecret));
  if (nats.passwordSecret) env.push(fromSecret(TRAINER_ENV.natsPassword, nats.passwordSecret));
  if (nats.credentialsSecret) env.push({ name: TRAINER_ENV.natsCredsFile, value: `${NATS_CREDS_MOUNT}/${NATS_CREDS_FILE_NAME}` });
  if (nats.nkeySeedSecret) env.push({ name: TRAINER_ENV.natsNkeySeedFile, value: `${NATS_NKEY_MOUNT}/${NATS_NKEY_FILE_NAME}` });
  if (nats.tls) {
    env.push({ name: TRAINER_ENV.natsTlsCaFile, value: `${NATS_TLS_MOUNT}/ca.pem` });
    if (nats.tls.clientCertificate) env.push({ name: TRAINER_ENV.natsTlsCertFile, value: `${NATS_TLS_MOUNT}/client.pem` }, { name: TRAINER_ENV.natsTlsKeyFile, value: `${NATS_TLS_MOUNT}/client.key` });
  }
  return env;
}

function templateEnv(template: TrialTemplate): V1EnvVar[] {
  return template.env.map((entry): V1EnvVar => {
    if ('value' in entry) return { name: entry.name, value: entry.value };
    if ('secretKeyRef' in entry) return { name: entry.name, valueFrom: { secretKeyRef: { ...entry.secretKeyRef } } };
    return { name: entry.name, valueFrom: { configMapKeyRef: { ...entry.configMapKeyRef } } };
  });
}

/** Later entries of the same name are dropped: the launcher's own variables come first and win. */
function uniqueByName(env: V1EnvVar[]): V1EnvVar[] {
  const seen = new Set<string>();
  return env.filter((entry) => (seen.has(entry.name) ? false : (seen.add(entry.name), true)));
}

function resources(template: TrialTemplate): V1Container['resources'] {
  const toStrings = (list: Record<string, string | number | undefined> | undefined): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const [name, amount] of Object.entries(list ?? {})) {
      if (amount !== undefined) out[name] = String(amount);
    }
    return out;
  };
  const requests = toStrings(template.resources.requests);
  const limits = toStrings(template.resources.limits);
  // An extended resource cannot be overcommitted: Kubernetes wants its request equal to its limit.
  if (template.gpus > 0) {
    requests[template.gpuResource] = String(template.gpus);
    limits[template.gpuResource] = String(template.gpus);
  }
  return {
    ...(Object.keys(requests).length > 0 ? { requests } : {}),
    ...(Object.keys(limits).length > 0 ? { limits } : {}),
  };
}

/**
 * GPU nodes are commonly tainted with the name of the resource they offer (nvidia.com/gpu,
 * amd.com/gpu) with effect NoSchedule; a GPU trial tolerates that taint, and for another
 * nvidia.com resource (a MIG slice, a shared GPU) also nvidia.com/gpu, which such nodes carry
 * too. A toleration only allows a node, it never requires one; keys the template tolerates
 * already are left as they are.
 */
function tolerations(template: TrialTemplate): V1Toleration[] {
  const list: V1Toleration[] = template.tolerations.map((t) => ({ ...t }));
  if (template.gpus > 0) {
    const keys = [template.gpuResource, ...(template.gpuResource.startsWith('nvidia.com/') ? ['nvidia.com/gpu'] : [])];
    for (const key of new Set(keys)) {
      if (!list.some((t) => t.key === key)) list.push({ key, operator: 'Exists', effect: 'NoSchedule' });
    }
  }
  return list;
}

function volumes(template: TrialTemplate): { volumes: V1Volume[]; mounts: V1VolumeMount[] } {
  // The root filesystem is read-only; training writes scratch files under /tmp only.
  const volumes: V1Volume[] = [{ name: 'tmp', emptyDir: { sizeLimit: '2Gi' } }];
  const mounts: V1VolumeMount[] = [{ name: 'tmp', mountPath: '/tmp' }];
  if (template.data) {
    volumes.push({ name: 'data', persistentVolumeClaim: { claimName: template.data.claimName, readOnly: true } });
    mounts.push({ name: 'data', mountPath: template.data.mountPath, readOnly: true });
  }
  // ENAS_CACHE_DIR (the beat set of ECG trials): an emptyDir, or a claim the trials share
  const cache = template.cache;
  volumes.push(cache.claimName ? { name: 'cache', persistentVolumeClaim: { claimName: cache.claimName } } : { name: 'cache', emptyDir: { sizeLimit: cache.sizeLimit } });
  mounts.push({ name: 'cache', mountPath: cache.mountPath });
  const creds = template.nats.credentialsSecret;
  if (creds) {
    volumes.push({
      name: 'nats-creds',
      secret: { secretName: creds.name, items: [{ key: creds.key, path: NATS_CREDS_FILE_NAME }], defaultMode: 0o440 },
    });
    mounts.push({ name: 'nats-creds', mountPath: NATS_CREDS_MOUNT, readOnly: true });
  }
  const seed = template.nats.nkeySeedSecret;
  if (seed) {
    volumes.push({ name: 'nats-nkey', secret: { secretName: seed.name, items: [{ key: seed.key, path: NATS_NKEY_FILE_NAME }], defaultMode: 0o440 } });
    mounts.push({ name: 'nats-nkey', mountPath: NATS_NKEY_MOUNT, readOnly: true });
  }
  const tls = template.nats.tls;
  if (tls) {
    const items = [{ key: tls.caKey, path: 'ca.pem' }, ...(tls.clientCertificate ? [{ key: tls.certKey, path: 'client.pem' }, { key: tls.keyKey, path: 'client.key' }] : [])];
    volumes.push({ name: 'nats-tls', secret: { secretName: tls.secretName, items, defaultMode: 0o440 } });
    mounts.push({ name: 'nats-tls', mountPath: NATS_TLS_MOUNT, readOnly: true });
  }
  return { volumes, mounts };
}

function podFailurePolicy(template: TrialTemplate): NonNullable<V1Job['spec']>['podFailurePolicy'] {
  const rules: NonNullable<NonNullable<V1Job['spec']>['podFailurePolicy']>['rules'] = [
    // A pod evicted or preempted is not the trial's fault: it does not count against backoffLimit.
    { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
  ];
  if (template.nonRetryableExitCodes.length > 0) {
    rules.push({
      action: 'FailJob',
      onExitCodes: { containerName: TRAINER_CONTAINER, operator: 'In', values: [...template.nonRetryableExitCodes].sort((a, b) => a - b) },
    });
  }
  return { rules };
}

/** The trainer in job mode: it reads the trial request from its environment and stores the result in NATS. */
function trainerPodParts(template: TrialTemplate, request: TrialJobRequest, name: string): { container: V1Container; volumes: V1Volume[] } {
  const { experimentId, trialId, attempt } = request;
  const { volumes: podVolumes, mounts } = volumes(template);
  const env = uniqueByName([
    { name: TRAINER_ENV.experimentId, value: experimentId },
    { name: TRAINER_ENV.trialId, value: trialId },
    { name: TRAINER_ENV.attempt, value: String(attempt) },
    { name: TRAINER_ENV.jobName, value: name },
    { name: TRAINER_ENV.podName, valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    { name: TRAINER_ENV.terminationLog, value: TERMINATION_LOG_PATH },
    ...natsEnv(template),
    ...(template.data ? [{ name: TRAINER_ENV.dataDir, value: template.data.mountPath }] : []),
    { name: TRAINER_ENV.cacheDir, value: template.cache.mountPath },
    ...Object.entries(request.env ?? {}).map(([envName, value]) => ({ name: envName, value })),
    ...templateEnv(template),
  ]);
  const container: V1Container = {
    name: TRAINER_CONTAINER,
    image: template.image,
    ...(template.imagePullPolicy ? { imagePullPolicy: template.imagePullPolicy } : {}),
    command: [...template.command],
    ...(template.args.length > 0 ? { args: [...template.args] } : {}),
    env,
    ...(template.envFrom.length > 0 ? { envFrom: template.envFrom.map((source) => ({ ...source })) } : {}),
    resources: resources(template),
    securityContext: CONTAINER_SECURITY,
    terminationMessagePath: TERMINATION_LOG_PATH,
    // The trainer writes its failure reason there; a crash that wrote nothing leaves its last log lines.
    terminationMessagePolicy: 'FallbackToLogsOnError',
    volumeMounts: mounts,
  };
  return { container, volumes: podVolumes };
}

/** One batch/v1 Job for one attempt of one trial, from the experiment's trial template. */
export function buildTrialJob(template: TrialTemplate, request: TrialJobRequest): V1Job {
  const { experimentId, trialId, attempt, namespace, userTrial } = request;
  const name = trialJobName(experimentId, trialId, attempt);
  const labels = { ...template.labels, ...trialLabels(experimentId, trialId, attempt) };
  const annotations = { ...template.annotations, [ANNOTATIONS.experimentId]: experimentId, [ANNOTATIONS.trialId]: trialId };
  const user = userTrial ? userTrialPodParts(userTrial, resources(template), CONTAINER_SECURITY) : undefined;
  const { container, volumes: podVolumes } = user ?? trainerPodParts(template, request, name);
  const podSpec: V1PodSpec = {
    restartPolicy: 'Never',
    serviceAccountName: template.serviceAccountName,
    // Neither the trainer nor a user's trial talks to the Kubernetes API.
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    securityContext: POD_SECURITY,
    containers: [container],
    volumes: podVolumes,
    ...(Object.keys(template.nodeSelector).length > 0 ? { nodeSelector: { ...template.nodeSelector } } : {}),
    ...(template.affinity ? { affinity: structuredClone(template.affinity) } : {}),
    ...(template.priorityClassName ? { priorityClassName: template.priorityClassName } : {}),
    ...(template.runtimeClassName ? { runtimeClassName: template.runtimeClassName } : {}),
    ...(template.imagePullSecrets.length > 0 ? { imagePullSecrets: template.imagePullSecrets.map((secret) => ({ name: secret })) } : {}),
  };
  const tolerationList = tolerations(template);
  if (tolerationList.length > 0) podSpec.tolerations = tolerationList;

  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      namespace,
      labels,
      annotations,
      ...(request.owner ? { ownerReferences: [request.owner] } : {}),
    },
    spec: {
      completions: 1,
      parallelism: 1,
      backoffLimit: userTrial ? userTrial.retries : template.backoffLimit,
      activeDeadlineSeconds: userTrial?.timeoutSeconds ?? template.activeDeadlineSeconds,
      ttlSecondsAfterFinished: template.ttlSecondsAfterFinished,
      // The trainer's exit codes mean something to the template; a user's do not.
      podFailurePolicy: podFailurePolicy(user ? { ...template, nonRetryableExitCodes: [] } : template),
      template: { metadata: { labels, annotations: { ...annotations, ...user?.annotations } }, spec: podSpec },
    },
  };
}

/**
 * The experiment's anchor: a suspended Job that never starts a pod and owns every trial Job of
 * the experiment. A Job rather than a ConfigMap or a custom resource so the orchestrator's Role
 * needs no verbs beyond Jobs; `kubectl delete job <anchor>` removes the experiment's Jobs and pods.
 */
export function buildExperimentAnchor(template: TrialTemplate, experimentId: string, namespace: string): V1Job {
  const labels = experimentLabels(experimentId);
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: experimentAnchorName(experimentId),
      namespace,
      labels,
      annotations: {
        [ANNOTATIONS.experimentId]: experimentId,
        'dcl-enas.io/purpose': 'owner of this experiment\'s trial Jobs; suspended, never runs; deleting it deletes them',
      },
    },
    spec: {
      suspend: true,
      backoffLimit: 0,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          automountServiceAccountToken: false,
          securityContext: POD_SECURITY,
          containers: [
            {
              name: 'anchor',
              image: template.image,
              command: ['node', '-e', 'process.exit(0)'],
              securityContext: CONTAINER_SECURITY,
              resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '10m', memory: '16Mi' } },
            },
          ],
        },
      },
    },
  };
}

export function ownerReferenceTo(anchor: V1Job): V1OwnerReference {
  if (!anchor.metadata?.uid || !anchor.metadata.name) {
    throw new Error('the experiment anchor Job has no uid yet: create it before its trials');
  }
  // blockOwnerDeletion would need update rights on jobs/finalizers; the Role does not grant them.
  return { apiVersion: 'batch/v1', kind: 'Job', name: anchor.metadata.name, uid: anchor.metadata.uid, controller: false };
}
