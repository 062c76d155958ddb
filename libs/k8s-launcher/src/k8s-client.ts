import type * as ClientNode from '@kubernetes/client-node' with { 'resolution-mode': 'import' };

/**
 * `@kubernetes/client-node` is ESM-only; this CommonJS workspace loads it with Node's require()
 * of ES modules (Node 20.19+). TypeScript's node16 module mode accepts only its types, so the
 * value comes through this one require and every other file imports from here.
 */
export const k8s: typeof ClientNode = require('@kubernetes/client-node');

export type {
  CoreV1Event,
  Informer,
  KubeConfig,
  ObjectCache,
  V1Container,
  V1EnvVar,
  V1Job,
  V1JobCondition,
  V1OwnerReference,
  V1Pod,
  V1PodSpec,
  V1Toleration,
  V1Volume,
  V1VolumeMount,
} from '@kubernetes/client-node' with { 'resolution-mode': 'import' };
