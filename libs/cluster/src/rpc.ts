import { RpcException, type ClientProxy } from '@nestjs/microservices';
import { firstValueFrom, timeout, TimeoutError } from 'rxjs';
import { ContractError, decode } from '@dcl-enas/contracts';
import type { z } from 'zod';
import type { DeadLetters } from './dead-letter';

export class RpcTimeoutError extends Error {
  override name = 'RpcTimeoutError';
}

/** The remote side refused or failed the request; `message` is its reason. */
export class RemoteError extends Error {
  override name = 'RemoteError';
}

/** Request/reply over a NestJS ClientProxy, with the timeout ClientProxy.send lacks and validated replies. */
export class RpcClient {
  constructor(
    private readonly client: ClientProxy,
    private readonly timeoutMs: number,
  ) {}

  async request<S extends z.ZodType>(subject: string, data: unknown, replySchema: S): Promise<z.output<S>> {
    let reply: unknown;
    try {
      reply = await firstValueFrom(this.client.send(subject, data).pipe(timeout({ first: this.timeoutMs })));
    } catch (e) {
      if (e instanceof TimeoutError) throw new RpcTimeoutError(`no reply on ${subject} within ${this.timeoutMs} ms (ENAS_REQUEST_TIMEOUT_MS): is the service that answers it running and reachable?`);
      const message = typeof e === 'object' && e !== null && 'message' in e ? String((e as { message: unknown }).message) : String(e);
      throw new RemoteError(`${subject}: ${message}`);
    }
    return decode(replySchema, reply, `reply on ${subject}`);
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

/**
 * Runs an RPC handler: validates the request (a bad one is dead-lettered with the reason) and
 * turns every failure into an error reply that carries its message.
 */
export async function handleRpc<S extends z.ZodType, R>(
  subject: string,
  schema: S,
  data: unknown,
  dead: DeadLetters,
  handler: (request: z.output<S>) => Promise<R>,
): Promise<R> {
  let request: z.output<S>;
  try {
    request = decode(schema, data, `request on ${subject}`);
  } catch (e) {
    await dead.send(subject, new TextEncoder().encode(JSON.stringify(data) ?? ''), (e as ContractError).message);
    throw new RpcException((e as Error).message);
  }
  try {
    return await handler(request);
  } catch (e) {
    throw new RpcException((e as Error).message);
  }
}
