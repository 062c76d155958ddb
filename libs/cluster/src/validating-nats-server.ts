import type { Msg } from 'nats';
import { ServerNats, type NatsOptions } from '@nestjs/microservices';
import { PROTOCOL_VERSION, subjectVersion } from '@dcl-enas/contracts';
import type { DeadLetters } from './dead-letter';

/**
 * NestJS's NATS transport with a gate in front of the handlers: a message that is too large,
 * for an unknown protocol version, or not JSON gets an error reply naming the reason (when it
 * expects one) and goes to the dead-letter subject; the service keeps serving. Payload schemas
 * are checked in the handlers (see `handleRpc`).
 */
export class ValidatingNatsServer extends ServerNats {
  private dead: DeadLetters | null = null;

  constructor(
    options: NonNullable<NatsOptions['options']>,
    private readonly maxMessageBytes: number,
  ) {
    super(options);
  }

  /** Dead letters need a connection of their own, made after start-up. */
  useDeadLetters(dead: DeadLetters): void {
    this.dead = dead;
  }

  override async handleMessage(channel: string, natsMsg: Msg): Promise<unknown> {
    const size = natsMsg.data.length;
    let packet: { id?: unknown } | null = null;
    try {
      packet = JSON.parse(new TextDecoder().decode(natsMsg.data)) as { id?: unknown };
    } catch {
      packet = null;
    }
    const version = subjectVersion(natsMsg.subject);
    const reason =
      size > this.maxMessageBytes
        ? `message of ${size} bytes exceeds ENAS_MAX_MESSAGE_BYTES=${this.maxMessageBytes}: send large fields by reference through the object store`
        : version !== PROTOCOL_VERSION
          ? `unknown protocol version "${version}" on ${natsMsg.subject}: this service speaks ${PROTOCOL_VERSION}`
          : packet === null || typeof packet !== 'object'
            ? `payload on ${natsMsg.subject} is not a JSON request`
            : null;
    if (reason === null) return super.handleMessage(channel, natsMsg);
    if (natsMsg.reply) {
      const id = packet && typeof packet === 'object' ? packet.id : undefined;
      const reply = this.serializer.serialize({ id, err: { status: 'error', message: reason }, isDisposed: true } as never);
      natsMsg.respond(reply.data as Uint8Array);
    }
    await this.dead?.send(natsMsg.subject, natsMsg.data, reason);
    return undefined;
  }
}
