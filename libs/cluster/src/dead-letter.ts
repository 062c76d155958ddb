import type { NatsConnection } from 'nats';
import { SUBJECTS, type DeadLetter } from '@dcl-enas/contracts';
import { encodeJson, previewText } from './codec';
import type { Logger } from './logger';

/** Publishes refused messages with the reason to enas.v1.deadletter.<service> (stream ENAS_DEADLETTER). */
export class DeadLetters {
  constructor(
    private readonly nc: NatsConnection,
    private readonly service: string,
    private readonly log: Logger,
  ) {}

  async send(subject: string, data: Uint8Array, reason: string): Promise<void> {
    const letter: DeadLetter = { service: this.service, subject, reason, size: data.length, preview: previewText(data), at: new Date().toISOString() };
    this.log.warn({ subject, reason, size: data.length }, 'message refused (dead-lettered)');
    try {
      await this.nc.jetstream().publish(SUBJECTS.deadLetter(this.service), encodeJson(letter));
    } catch (e) {
      this.log.error({ err: (e as Error).message, subject }, 'could not store the dead letter');
    }
  }
}
