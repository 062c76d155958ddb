import { randomUUID } from 'node:crypto';
import type { NatsConnection, ObjectStore } from 'nats';
import { BUCKETS, type ObjectRef, type Payload } from '@dcl-enas/contracts';
import { decodeJson, encodeJson } from './codec';

/** Room left in a message for everything around the payload fields. */
const ENVELOPE_RESERVE = 16 * 1024;

/** Object stores by name, opened once. */
export class ObjectStores {
  private readonly open = new Map<string, Promise<ObjectStore>>();
  constructor(private readonly nc: NatsConnection) {}

  store(bucket: string): Promise<ObjectStore> {
    let s = this.open.get(bucket);
    if (!s) {
      s = this.nc.jetstream().views.os(bucket);
      this.open.set(bucket, s);
    }
    return s;
  }

  async put(bucket: string, name: string, data: Uint8Array): Promise<ObjectRef> {
    const os = await this.store(bucket);
    const info = await os.putBlob({ name }, data);
    return { bucket, name, size: info.size };
  }

  async get(ref: ObjectRef): Promise<Uint8Array> {
    const os = await this.store(ref.bucket);
    const data = await os.getBlob(ref.name);
    if (data === null) throw new Error(`object ${ref.bucket}/${ref.name} is missing from the object store`);
    return data;
  }

  /** The object's reference if it exists. */
  async find(bucket: string, name: string): Promise<ObjectRef | null> {
    const os = await this.store(bucket);
    const info = await os.info(name);
    return info && !info.deleted ? { bucket, name, size: info.size } : null;
  }
}

/** Payload fields: inline while they fit a message, else stored in `enas-blobs` and sent by reference. */
export class Payloads {
  constructor(
    private readonly stores: ObjectStores,
    private readonly maxMessageBytes: number,
  ) {}

  async wrap<T>(value: T): Promise<Payload<T>> {
    const bytes = encodeJson(value);
    if (bytes.length <= this.maxMessageBytes - ENVELOPE_RESERVE) return { inline: value };
    return { ref: await this.stores.put(BUCKETS.blobs, randomUUID(), bytes) };
  }

  async unwrap<T>(payload: Payload<T>): Promise<T> {
    if ('inline' in payload) return payload.inline;
    if (payload.ref.bucket !== BUCKETS.blobs) throw new Error(`payload reference must point into ${BUCKETS.blobs}, not ${payload.ref.bucket}`);
    return decodeJson(await this.stores.get(payload.ref)) as T;
  }
}
