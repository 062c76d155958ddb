import type * as ClientNode from '@kubernetes/client-node' with { 'resolution-mode': 'import' };

/**
 * `@kubernetes/client-node` is ESM-only; this CommonJS workspace loads it with Node's require()
 * of ES modules (Node 20.19+), as libs/k8s-launcher/src/k8s-client.ts does. TypeScript's node16
 * module mode accepts only its types, so the value comes through this one require and every
 * other file of the stand-ins imports from here (not from the launcher, which this library
 * must not depend on).
 */
export const k8s: typeof ClientNode = require('@kubernetes/client-node');

export type { CoreV1Event, V1Container, V1Job, V1JobCondition, V1Pod } from '@kubernetes/client-node' with { 'resolution-mode': 'import' };
