import { Module, type DynamicModule } from '@nestjs/common';
import { HealthController, READINESS } from './health.controller';
import type { Readiness } from './readiness';

/** /healthz and /readyz for a service, over its Readiness. */
@Module({})
export class HealthModule {
  static register(readiness: Readiness): DynamicModule {
    return { module: HealthModule, controllers: [HealthController], providers: [{ provide: READINESS, useValue: readiness }] };
  }
}
