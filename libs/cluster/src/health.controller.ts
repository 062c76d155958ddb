import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import { Readiness } from './readiness';

export const READINESS = Symbol('Readiness');

/** Liveness and readiness probes, served by every service. */
@Controller()
export class HealthController {
  constructor(@Inject(READINESS) private readonly readiness: Readiness) {}

  @Get('healthz')
  live(): { status: string } {
    return { status: 'ok' };
  }

  @Get('readyz')
  ready(): { status: string } {
    const problems = this.readiness.problems();
    if (problems.length > 0) throw new ServiceUnavailableException({ status: 'not ready', problems });
    return { status: 'ready' };
  }
}
