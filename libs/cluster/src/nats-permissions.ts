import { BUCKETS, CONSUMERS, STREAMS } from '@dcl-enas/contracts';
import type { ServiceName } from './config';

/**
 * Least-privilege NATS permissions of each service (docs/security.md): the subjects it may
 * publish to and subscribe to, nothing else. They are derived, here and only here, from what
 * each service calls: every operation of the adapters in this library names the subjects it
 * needs (OPERATIONS), and each service lists the operations it performs (USES). The cluster
 * tests run every service under exactly these permissions (resume, redelivery, stop, faults, the
 * Kubernetes launcher), and the Helm chart and k8s/ ship the config `natsAuthorizationConf` renders.
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
const TRAINERS = `${STREAMS.trials}.${CONSUMERS.trainers}`;

/** Reading a stream: messages by sequence or subject, and ordered consumers (with flow control). */
function readStream(stream: string): string[] {
  return [`${API}.STREAM.MSG.GET.${stream}`, `${API}.DIRECT.GET.${stream}`, `${API}.DIRECT.GET.${stream}.>`, `${API}.CONSUMER.CREATE.${stream}`, `${API}.CONSUMER.CREATE.${stream}.>`, `${API}.CONSUMER.MSG.NEXT.${stream}.>`, `${API}.CONSUMER.DELETE.${stream}.>`, `$JS.FC.${stream}.>`];
}

/** Reading and writing objects of a bucket (writing replaces an object: a purge of its old chunks). */
function objectStore(bucket: string): string[] {
  return [`$O.${bucket}.>`, ...readStream(OBJ(bucket)), `${API}.STREAM.PURGE.${OBJ(bucket)}`];
}

interface Grant {
  readonly publish?: readonly string[];
  readonly subscribe?: readonly string[];
  readonly allowResponses?: boolean;
}

/** What each operation of the services needs, named after the code that performs it. */
const OPERATIONS = {
  /** openServiceContext, ensureJetStream: every service creates the resources it uses if missing (start in any order); none may delete or change them. */
  start: { publish: [`${API}.INFO`, `${API}.STREAM.NAMES`, ...OUR_STREAMS.flatMap((s) => [`${API}.STREAM.INFO.${s}`, `${API}.STREAM.CREATE.${s}`])] },
  /** EventLog.append of created, proposed, stop and ended: the orchestrator's own events. */
  appendExperimentEvents: { publish: ['enas.v1.events.*.created', 'enas.v1.events.*.proposed.*', 'enas.v1.events.*.stop', 'enas.v1.events.*.ended'] },
  /** EventLog.append of a result (TrialWorker, runTrialJob; JobTrialDispatcher for a failed Job). */
  appendResults: { publish: ['enas.v1.events.*.result.*'] },
  /** EventLog.follow, readAll, hasResult. */
  readEventLog: { publish: readStream(STREAMS.events) },
  /** TrialQueue.dispatch (with its resume check by subject), withdraw, settle, finished. */
  queueTrials: { publish: ['enas.v1.trials.>', `${API}.STREAM.MSG.GET.${STREAMS.trials}`, `${API}.STREAM.MSG.DELETE.${STREAMS.trials}`] },
  /**
   * createTrainerConsumer (the orchestrator at start-up, so that KEDA reads its lag before any
   * trainer runs) and ensureTrainerConsumer (a trainer: create, or set its ack wait): the durable
   * work-queue consumer, that consumer only, with the info call that checks for it.
   */
  trainerConsumer: { publish: [`${API}.CONSUMER.CREATE.${TRAINERS}`, `${API}.CONSUMER.CREATE.${TRAINERS}.>`, `${API}.CONSUMER.DURABLE.CREATE.${TRAINERS}`, `${API}.CONSUMER.INFO.${TRAINERS}`] },
  /** TrialWorker: the durable work-queue consumer, pulled and acknowledged. */
  takeTrials: { publish: [`${API}.CONSUMER.MSG.NEXT.${TRAINERS}`, `$JS.ACK.${TRAINERS}.>`] },
  /** trialAnswered: a trainer handed a trial again asks whether it is answered. */
  askAnswered: { publish: ['enas.v1.answered'] },
  /** answerTrialQuestions: the orchestrator answers from its ledgers. */
  answerAnswered: { subscribe: ['enas.*.answered'], allowResponses: true },
  /** registerQueueDepth (metrics): the trainers' consumer's backlog. */
  queueDepth: { publish: [`${API}.CONSUMER.INFO.${TRAINERS}`] },
  /** ExperimentManager: snapshots in the experiments bucket. */
  snapshots: { publish: [`$KV.${BUCKETS.experiments}.>`, ...readStream(KV_STREAM)] },
  /** Blobs: payloads passed by reference. */
  blobs: { publish: objectStore(BUCKETS.blobs) },
  /** remotePredictors: fit and rank requests. */
  requestPredictions: { publish: ['enas.v1.predictor.fit', 'enas.v1.predictor.rank'] },
  /** The predictor service: answers fit and rank, keeps fitted models, asks for and reads encoders. */
  servePredictions: { publish: ['enas.v1.encoder.pretrain', ...objectStore(BUCKETS.models), ...readStream(OBJ(BUCKETS.encoders))], subscribe: ['enas.*.predictor.fit', 'enas.*.predictor.rank'], allowResponses: true },
  /** The encoder service: answers pretrain, keeps encoders. */
  serveEncoders: { publish: objectStore(BUCKETS.encoders), subscribe: ['enas.*.encoder.pretrain'], allowResponses: true },
} satisfies Record<string, Grant>;

type Operation = keyof typeof OPERATIONS;

/** The operations each service performs. The trainer never reads the event log nor any trial it was not handed. */
const USES: Record<ServiceName, readonly Operation[]> = {
  orchestrator: ['start', 'appendExperimentEvents', 'appendResults', 'readEventLog', 'queueTrials', 'trainerConsumer', 'queueDepth', 'snapshots', 'blobs', 'requestPredictions', 'answerAnswered'],
  trainer: ['start', 'appendResults', 'trainerConsumer', 'takeTrials', 'queueDepth', 'askAnswered'],
  predictor: ['start', 'blobs', 'servePredictions'],
  encoder: ['start', 'serveEncoders'],
};

export function servicePermissions(service: ServiceName): SubjectPermissions {
  const grants: Grant[] = [...USES[service].map((op) => OPERATIONS[op]), { publish: [`enas.v1.deadletter.${service}`], subscribe: [`${inboxPrefix(service)}.>`] }];
  return {
    publish: [...new Set(grants.flatMap((g) => g.publish ?? []))],
    subscribe: [...new Set(grants.flatMap((g) => g.subscribe ?? []))],
    allowResponses: grants.some((g) => g.allowResponses === true),
  };
}

/**
 * The `authorization` block of a nats-server config: one user per service with its permissions,
 * no anonymous access. `login(service)` is either the password's config value: an env variable
 * reference such as `$NATS_TRAINER_PASSWORD` (the chart, from a Secret; the variable may hold a
 * bcrypt hash, docs/security.md) or a quoted literal (tests); or `{ nkey }`, the service's public
 * NKey (`U...`), which then logs in with its seed (NATS_NKEY_SEED_FILE) instead of a password.
 * `extraUsers`: more user blocks, verbatim (tests add an observer).
 */
export function natsAuthorizationConf(
  login: (service: ServiceName) => string | { readonly nkey: string },
  services: readonly ServiceName[] = ['orchestrator', 'encoder', 'predictor', 'trainer'],
  extraUsers: readonly string[] = [],
): string {
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
  return `authorization {\n  users: [\n${[...users, ...extraUsers].join('\n')}\n  ]\n}\n`;
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
