import { BadRequestException, Body, Controller, Get, Headers, HttpCode, Inject, NotFoundException, Param, Post, Sse, type MessageEvent } from '@nestjs/common';
import { map, type Observable } from 'rxjs';
import { UserError } from '@dcl-enas/common';
import { ContractError, ExperimentSpec, decode, parseExperimentSpec, type ExperimentDetail, type ExperimentSnapshot } from '@dcl-enas/contracts';
import { experimentSpecWithTrialTemplateJsonSchema } from '@dcl-enas/k8s-launcher';
import { ExperimentManager, NotFoundError } from './experiment-manager';

export const MANAGER = Symbol('ExperimentManager');

/** The orchestrator's HTTP API (docs/configuration.md). */
@Controller()
export class ExperimentsController {
  constructor(@Inject(MANAGER) private readonly experiments: ExperimentManager) {}

  @Post('experiments')
  @HttpCode(201)
  async create(@Body() body: unknown, @Headers('content-type') contentType?: string): Promise<ExperimentSnapshot> {
    return this.handle(async () => {
      let spec: ExperimentSpec;
      if (typeof body === 'string') spec = parseExperimentSpec(body, 'experiment spec');
      else if (body && typeof body === 'object' && Object.keys(body).length > 0) spec = decode(ExperimentSpec, body, 'experiment spec');
      else throw new ContractError(`empty request body (content-type ${contentType ?? 'missing'}): send the spec as application/json or application/yaml`);
      return this.experiments.create(spec);
    });
  }

  @Get('experiments')
  list(): Promise<ExperimentSnapshot[]> {
    return this.handle(() => this.experiments.list());
  }

  @Get('experiments/:id')
  get(@Param('id') id: string): Promise<ExperimentDetail> {
    return this.handle(() => this.experiments.get(id));
  }

  @Post('experiments/:id/stop')
  @HttpCode(200)
  stop(@Param('id') id: string): Promise<ExperimentSnapshot> {
    return this.handle(() => this.experiments.stop(id));
  }

  @Sse('experiments/:id/events')
  async events(@Param('id') id: string): Promise<Observable<MessageEvent>> {
    const events = await this.handle(() => this.experiments.events(id));
    return events.pipe(map((e) => ({ type: e.type, data: e })));
  }

  @Get('schema/experiment')
  schema(): Record<string, unknown> {
    return experimentSpecWithTrialTemplateJsonSchema();
  }

  private async handle<T>(f: () => Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (e) {
      if (e instanceof NotFoundError) throw new NotFoundException({ error: e.message });
      if (e instanceof UserError || e instanceof ContractError) throw new BadRequestException({ error: e.message });
      throw e;
    }
  }
}
