import { AckPolicy, DiscardPolicy, RetentionPolicy, StorageType, nanos, type JetStreamManager, type NatsConnection, type StreamConfig } from 'nats';
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

/** The trainers' durable work-queue consumer; the ack wait follows the trainers' setting. */
export async function ensureTrainerConsumer(nc: NatsConnection, ackWaitMs: number): Promise<void> {
  const jsm = await nc.jetstreamManager();
  const config = { durable_name: CONSUMERS.trainers, ack_policy: AckPolicy.Explicit, ack_wait: nanos(ackWaitMs), max_deliver: -1, filter_subject: SUBJECTS.allTrials, max_ack_pending: -1 };
  try {
    const info = await jsm.consumers.info(STREAMS.trials, CONSUMERS.trainers);
    if (info.config.ack_wait !== config.ack_wait) await jsm.consumers.update(STREAMS.trials, CONSUMERS.trainers, { ack_wait: config.ack_wait });
  } catch {
    await jsm.consumers.add(STREAMS.trials, config).catch(async (e) => {
      await jsm.consumers.info(STREAMS.trials, CONSUMERS.trainers).catch(() => {
        throw e;
      });
    });
  }
}
