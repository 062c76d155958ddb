import { TRIAL_ENV, TRIAL_FILES } from '@dcl-enas/trials';
import type { V1Container, V1Volume, V1VolumeMount } from './k8s-client';

/**
 * A trial Job that runs the user's image and command unchanged (trial protocol v1,
 * docs/trials.md "Kubernetes Jobs"): no trainer and no NATS credentials in the pod. arch.json
 * reaches the container through the Downward API (a pod annotation projected as a file), and
 * result.json is the container's termination message file, which the kubelet keeps in the pod's
 * status once the container exits (4 KiB at most); an `enas-result` stdout line is read back
 * from the pod log instead. The orchestrator turns what the pod left into the trial's result.
 */
export interface UserTrial {
  readonly image: string;
  readonly command: readonly string[];
  /** The protocol's variables (ENAS_TRIAL_ID, ENAS_EXPERIMENT_ID, ENAS_ARCH) and the spec's trial.env. */
  readonly env: Readonly<Record<string, string>>;
  /** The content of arch.json. */
  readonly archJson: string;
  /** Pod retries of the Job (the spec's trial.retries). */
  readonly retries: number;
  /** The Job's deadline (the spec's trial.timeoutSeconds); default the template's. */
  readonly timeoutSeconds?: number;
}

export const USER_TRIAL_CONTAINER = 'trial';
/** ENAS_TRIAL_DIR inside the pod: an emptyDir, holding arch.json and result.json. */
export const USER_TRIAL_DIR = '/enas/trial';
export const USER_TRIAL_RESULT_PATH = `${USER_TRIAL_DIR}/${TRIAL_FILES.result}`;
/** The pod annotation whose value the Downward API projects as arch.json. */
export const ARCH_JSON_ANNOTATION = 'dcl-enas.io/arch-json';
/** The kubelet keeps at most this much of a termination message. */
export const TERMINATION_MESSAGE_MAX_BYTES = 4096;

/** The container, its volumes and the pod annotation of a user trial. */
export function userTrialPodParts(trial: UserTrial, resources: V1Container['resources'], securityContext: V1Container['securityContext']) {
  const volumes: V1Volume[] = [
    { name: 'trial', emptyDir: { sizeLimit: '1Gi' } },
    { name: 'tmp', emptyDir: { sizeLimit: '2Gi' } },
    { name: 'arch', downwardAPI: { items: [{ path: TRIAL_FILES.arch, fieldRef: { fieldPath: `metadata.annotations['${ARCH_JSON_ANNOTATION}']` } }] } },
  ];
  const mounts: V1VolumeMount[] = [
    { name: 'trial', mountPath: USER_TRIAL_DIR },
    { name: 'tmp', mountPath: '/tmp' },
    { name: 'arch', mountPath: `${USER_TRIAL_DIR}/${TRIAL_FILES.arch}`, subPath: TRIAL_FILES.arch, readOnly: true },
  ];
  // The root filesystem is read-only: HOME (caches of pip, torch, matplotlib) is /tmp unless the spec sets it.
  const env = { HOME: '/tmp', ...trial.env, [TRIAL_ENV.dir]: USER_TRIAL_DIR };
  const container: V1Container = {
    name: USER_TRIAL_CONTAINER,
    image: trial.image,
    command: [...trial.command],
    env: Object.entries(env).map(([name, value]) => ({ name, value })),
    resources,
    securityContext,
    terminationMessagePath: USER_TRIAL_RESULT_PATH,
    // A failed trial that wrote no result.json leaves the end of its log as the message.
    terminationMessagePolicy: 'FallbackToLogsOnError',
    volumeMounts: mounts,
  };
  return { container, volumes, annotations: { [ARCH_JSON_ANNOTATION]: trial.archJson } };
}
