import { randomBytes } from 'node:crypto';
import { NatsServerProcess, SERVICE_NAMES, natsAuthorizationConf, type ServiceName } from '@dcl-enas/cluster';
import type { SecretStore } from './process-kubelet';

/**
 * NATS as the shipped deployment runs it, for end-to-end tests: each service its own user with
 * the generated permissions and a random password, the Secrets as the kubelet projects them,
 * and the trial template's login (the trainer's, as the chart's template names it).
 */
export class ShippedNats {
  /** The trial template's `nats` login: the trainer's user and password Secrets. */
  readonly trainerLogin = { userSecret: { name: 'dcl-enas-nats-users', key: 'trainer' }, passwordSecret: { name: 'dcl-enas-nats', key: 'trainer-password' } };

  private constructor(
    readonly server: NatsServerProcess,
    readonly secrets: SecretStore,
  ) {}

  static async start(): Promise<ShippedNats> {
    const passwords = Object.fromEntries(SERVICE_NAMES.map((s) => [`${s}-password`, randomBytes(18).toString('hex')]));
    const server = await NatsServerProcess.start({ config: natsAuthorizationConf((s) => JSON.stringify(passwords[`${s}-password`])) });
    return new ShippedNats(server, { 'dcl-enas-nats-users': Object.fromEntries(SERVICE_NAMES.map((s) => [s, s])), 'dcl-enas-nats': passwords });
  }

  get url(): string {
    return this.server.url;
  }

  /** NATS_USER and NATS_PASSWORD of a service. */
  login(service: ServiceName): { NATS_USER: string; NATS_PASSWORD: string } {
    return { NATS_USER: service, NATS_PASSWORD: this.secrets['dcl-enas-nats']![`${service}-password`]! };
  }

  /** The permission violations nats-server logged (none when every service kept to its grants). */
  violations(): string[] {
    return this.server.output.split('\n').filter((l) => / - (Publish|Subscription) Violation - /.test(l));
  }

  dispose(): Promise<void> {
    return this.server.dispose();
  }
}
