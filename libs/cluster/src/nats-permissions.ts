import { BUCKETS, CONSUMERS, STREAMS } from '@dcl-enas/contracts';
import type { ServiceName } from './config';

/**
 * Least-privilege NATS permissions of each service (docs/security.md): the subjects it may
 * publish to and subscribe to, nothing else. Derived from a trace of every subject each service
 * uses (nats-server -DV during a full run); the security test runs the services under exactly
 * these permissions, and the Helm chart and k8s/ ship the config `natsAuthorizationConf` renders.
 */
export interface SubjectPermissions {
  readonly publish: readonly string[];
  readonly subscribe: readonly string[];
  /** May answer requests it received (reply subjects), and only those. */
  readonly allowResponses: boolean;
}

/** Each service's inbox prefix: replies to it, and JetStream deliveries, go to `<prefix>.>` only. */
export function inboxPrefix(service: ServiceName): string {
  return `_INBOX_${service}`;
}

const API = '$JS.API';
const KV_STREAM = `KV_${BUCKETS.experiments}`;
const OBJ = (bucket: string) => `OBJ_${bucket}`;
const OUR_STREAMS = [STREAMS.events, STREAMS.trials, STREAMS.deadLetter, KV_STREAM, OBJ(BUCKETS.models), OBJ(BUCKETS.encoders), OBJ(BUCKETS.blobs)];

/** Reading a stream: messages by sequence or subject, and ordered consumers (with flow control). */
function readStream(stream: string): string[] {
  return [`${API}.STREAM.MSG.GET.${stream}`, `${API}.DIRECT.GET.${stream}`, `${API}.DIRECT.GET.${stream}.>`, `${API}.CONSUMER.CREATE.${stream}`, `${API}.CONSUMER.CREATE.${stream}.>`, `${API}.CONSUMER.MSG.NEXT.${stream}.>`, `${API}.CONSUMER.DELETE.${stream}.>`, `$JS.FC.${stream}.>`];
}

/** Reading and writing objects of a bucket (writing replaces an object: a purge of its old chunks). */
function objectStore(bucket: string): string[] {
  return [`$O.${bucket}.>`, ...readStream(OBJ(bucket)), `${API}.STREAM.PURGE.${OBJ(bucket)}`];
}

function common(service: ServiceName): { publish: string[]; subscribe: string[] } {
  return {
    publish: [
      `${API}.INFO`,
      `${API}.STREAM.NAMES`,
      // every service creates the resources it uses if they are missing (start in any order); none may delete or change them
      ...OUR_STREAMS.flatMap((s) => [`${API}.STREAM.INFO.${s}`, `${API}.STREAM.CREATE.${s}`]),
      `enas.v1.deadletter.${service}`,
    ],
    subscribe: [`${inboxPrefix(service)}.>`],
  };
}

const SPECIFIC: Record<ServiceName, SubjectPermissions> = {
  orchestrator: {
    publish: [
      'enas.v1.events.*.created',
      'enas.v1.events.*.proposed.*',
      'enas.v1.events.*.stop',
      'enas.v1.events.*.ended',
      'enas.v1.trials.>',
      'enas.v1.predictor.fit',
      'enas.v1.predictor.rank',
      ...readStream(STREAMS.events),
      `${API}.STREAM.PURGE.${STREAMS.trials}`,
      `${API}.CONSUMER.INFO.${STREAMS.trials}.${CONSUMERS.trainers}`,
      `$KV.${BUCKETS.experiments}.>`,
      ...readStream(KV_STREAM),
      ...objectStore(BUCKETS.blobs),
    ],
    subscribe: [],
    allowResponses: false,
  },
  trainer: {
    publish: [
      'enas.v1.events.*.result.*',
      `${API}.STREAM.MSG.GET.${STREAMS.events}`,
      `${API}.DIRECT.GET.${STREAMS.events}`,
      `${API}.DIRECT.GET.${STREAMS.events}.>`,
      `${API}.CONSUMER.CREATE.${STREAMS.trials}.${CONSUMERS.trainers}`,
      `${API}.CONSUMER.CREATE.${STREAMS.trials}.${CONSUMERS.trainers}.>`,
      `${API}.CONSUMER.DURABLE.CREATE.${STREAMS.trials}.${CONSUMERS.trainers}`,
      `${API}.CONSUMER.INFO.${STREAMS.trials}.${CONSUMERS.trainers}`,
      `${API}.CONSUMER.MSG.NEXT.${STREAMS.trials}.${CONSUMERS.trainers}`,
      `$JS.ACK.${STREAMS.trials}.${CONSUMERS.trainers}.>`,
      // Kubernetes Job mode: one trial read by subject, then removed from the queue
      `${API}.STREAM.MSG.GET.${STREAMS.trials}`,
      `${API}.STREAM.MSG.DELETE.${STREAMS.trials}`,
    ],
    subscribe: [],
    allowResponses: false,
  },
  predictor: {
    publish: ['enas.v1.encoder.pretrain', ...objectStore(BUCKETS.models), ...objectStore(BUCKETS.blobs), ...readStream(OBJ(BUCKETS.encoders))],
    subscribe: ['enas.*.predictor.fit', 'enas.*.predictor.rank'],
    allowResponses: true,
  },
  encoder: {
    publish: [...objectStore(BUCKETS.encoders)],
    subscribe: ['enas.*.encoder.pretrain'],
    allowResponses: true,
  },
};

export function servicePermissions(service: ServiceName): SubjectPermissions {
  const base = common(service);
  const own = SPECIFIC[service];
  return { publish: [...new Set([...base.publish, ...own.publish])], subscribe: [...new Set([...base.subscribe, ...own.subscribe])], allowResponses: own.allowResponses };
}

/**
 * The `authorization` block of a nats-server config: one user per service with its permissions,
 * no anonymous access. `login(service)` is either the password's config value: an env variable
 * reference such as `$NATS_TRAINER_PASSWORD` (the chart, from a Secret; the variable may hold a
 * bcrypt hash, docs/security.md) or a quoted literal (tests); or `{ nkey }`, the service's public
 * NKey (`U...`), which then logs in with its seed (NATS_NKEY_SEED_FILE) instead of a password.
 */
export function natsAuthorizationConf(login: (service: ServiceName) => string | { readonly nkey: string }, services: readonly ServiceName[] = ['orchestrator', 'encoder', 'predictor', 'trainer']): string {
  const list = (items: readonly string[]) => `[${items.map((s) => JSON.stringify(s)).join(', ')}]`;
  const users = services.map((service) => {
    const p = servicePermissions(service);
    const credential = login(service);
    if (typeof credential !== 'string' && !/^U[A-Z2-7]{55}$/.test(credential.nkey)) throw new Error(`the NKey of ${service} is not a user public key (U followed by 55 base32 characters)`);
    return [
      `    {`,
      ...(typeof credential === 'string' ? [`      user: ${JSON.stringify(service)}`, `      password: ${credential}`] : [`      nkey: ${JSON.stringify(credential.nkey)}`]),
      `      permissions: {`,
      `        publish: { allow: ${list(p.publish)} }`,
      `        subscribe: { allow: ${list(p.subscribe)} }`,
      ...(p.allowResponses ? [`        allow_responses: true`] : []),
      `      }`,
      `    }`,
    ].join('\n');
  });
  return `authorization {\n  users: [\n${users.join('\n')}\n  ]\n}\n`;
}

/**
 * The value of a `NATS_<SERVICE>_PASSWORD` variable of the NATS server holding the password's
 * bcrypt hash instead of the password (docs/security.md): nats-server reads a variable's value as
 * config text, where a bare `$2b$...` would be taken for another variable, so it goes in quotes.
 */
export function natsPasswordHashValue(hash: string): string {
  if (!/^\$2[abxy]\$\d{2}\$[./A-Za-z0-9]{53}$/.test(hash)) throw new Error('not a bcrypt hash: expected $2a$ or $2b$, the cost, then 53 characters of salt and hash');
  return `"${hash}"`;
}
