import { AckPolicy, DiscardPolicy, RetentionPolicy, StorageType, nanos, type ConsumerConfig, type JetStreamManager, type NatsConnection, type NatsError, type StreamConfig } from 'nats';
import { BUCKETS, CONSUMERS, STREAMS, SUBJECTS } from '@dcl-enas/contracts';

export interface ResourceOptions {
  readonly replicas: number;
  readonly maxMessageBytes: number;
}

const DAY_MS = 24 * 3600 * 1000;

/** A file-backed stream over one subject, with the configured replicas. */
function fileStream(o: ResourceOptions, name: string, subject: string, rest: Partial<StreamConfig>): Partial<StreamConfig> {
  return { name, subjects: [subject], storage: StorageType.File, num_replicas: o.replicas, ...rest };
}

function streamConfigs(o: ResourceOptions): Partial<StreamConfig>[] {
  // The event log and the trial queue: message size limit and a 10-minute duplicate window.
  const limits = { max_msg_size: o.maxMessageBytes, duplicate_window: nanos(10 * 60 * 1000) };
  return [
    fileStream(o, STREAMS.events, SUBJECTS.allEvents, { retention: RetentionPolicy.Limits, ...limits }),
    fileStream(o, STREAMS.trials, SUBJECTS.allTrials, { retention: RetentionPolicy.Workqueue, ...limits }),
    fileStream(o, STREAMS.deadLetter, SUBJECTS.allDeadLetters, {
      retention: RetentionPolicy.Limits,
      max_age: nanos(7 * DAY_MS),
      max_msgs: 100_000,
      discard: DiscardPolicy.Old,
    }),
  ];
}

/** Creates the streams, KV bucket and object stores if missing; leaves existing ones as they are. */
export async function ensureJetStream(nc: NatsConnection, o: ResourceOptions): Promise<void> {
  const jsm = await nc.jetstreamManager();
  for (const config of streamConfigs(o)) await ensureStream(jsm, config);
  const js = nc.jetstream();
  await js.views.kv(BUCKETS.experiments, { replicas: o.replicas, history: 1 });
  await js.views.os(BUCKETS.models, { replicas: o.replicas });
  await js.views.os(BUCKETS.encoders, { replicas: o.replicas });
  await js.views.os(BUCKETS.blobs, { replicas: o.replicas, ttl: nanos(DAY_MS) });
}

async function ensureStream(jsm: JetStreamManager, config: Partial<StreamConfig>): Promise<void> {
  try {
    await jsm.streams.info(config.name!);
  } catch {
    try {
      await jsm.streams.add(config);
    } catch (e) {
      // Another service may have created it in between.
      await jsm.streams.info(config.name!).catch(() => {
        throw e;
      });
    }
  }
}

/** The trainers' ack wait when ENAS_TRIAL_ACK_WAIT_MS is not set. */
export const DEFAULT_TRIAL_ACK_WAIT_MS = 30_000;

/**
 * The trainers' durable work-queue consumer `enas-trainers`, the one definition both sides use:
 * the orchestrator creates it at start-up (createTrainerConsumer), so that it exists, and KEDA can
 * read its lag, before any trainer runs; each trainer binds to it (ensureTrainerConsumer).
 */
export function trainerConsumerConfig(ackWaitMs: number): Partial<ConsumerConfig> {
  return { durable_name: CONSUMERS.trainers, ack_policy: AckPolicy.Explicit, ack_wait: nanos(ackWaitMs), max_deliver: -1, filter_subject: SUBJECTS.allTrials, max_ack_pending: -1 };
}

/** Adds the consumer; one created in between by another service is as good. */
async function addTrainerConsumer(jsm: JetStreamManager, config: Partial<ConsumerConfig>): Promise<void> {
  await jsm.consumers.add(STREAMS.trials, config).catch(async (e) => {
    await jsm.consumers.info(STREAMS.trials, CONSUMERS.trainers).catch(() => {
      throw e;
    });
  });
}

/** A trainer's call: the consumer, created if missing; its ack wait follows this trainer's setting. */
export async function ensureTrainerConsumer(nc: NatsConnection, ackWaitMs: number): Promise<void> {
  const jsm = await nc.jetstreamManager();
  const config = trainerConsumerConfig(ackWaitMs);
  try {
    const info = await jsm.consumers.info(STREAMS.trials, CONSUMERS.trainers);
    if (info.config.ack_wait !== config.ack_wait) await jsm.consumers.update(STREAMS.trials, CONSUMERS.trainers, { ack_wait: config.ack_wait });
  } catch {
    await addTrainerConsumer(jsm, config);
  }
}

/**
 * The orchestrator's call at start-up (launcher mode queue): creates the consumer when missing,
 * with the trainers' default ack wait (a trainer sets its own when it starts), and leaves an
 * existing one as it is. Returns whether it created it.
 */
export async function createTrainerConsumer(nc: NatsConnection): Promise<boolean> {
  const jsm = await nc.jetstreamManager();
  const exists = await jsm.consumers.info(STREAMS.trials, CONSUMERS.trainers).then(
    () => true,
    (e: NatsError) => {
      // JetStream's "consumer not found" (err_code 10014); anything else (no permission, no stream) ends the start-up
      if (e.api_error?.err_code === 10014 || /consumer not found/i.test(e.message)) return false;
      throw e;
    },
  );
  if (exists) return false;
  await addTrainerConsumer(jsm, trainerConsumerConfig(DEFAULT_TRIAL_ACK_WAIT_MS));
  return true;
}
