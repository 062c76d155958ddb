import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { FitRequest, RankRequest, SUBJECTS, anyVersion, type FitReply, type RankReply } from '@dcl-enas/contracts';
import { DEAD_LETTERS, RPC_HOST, handleRpc, type DeadLetters } from '@dcl-enas/cluster';
import type { PredictorHost } from './predictor-host';

@Controller()
export class PredictorController {
  constructor(
    @Inject(RPC_HOST) private readonly host: PredictorHost,
    @Inject(DEAD_LETTERS) private readonly dead: DeadLetters,
  ) {}

  @MessagePattern(anyVersion(SUBJECTS.predictorFit))
  fit(@Payload() data: unknown): Promise<FitReply> {
    return handleRpc(SUBJECTS.predictorFit, FitRequest, data, this.dead, (r) => this.host.fit(r));
  }

  @MessagePattern(anyVersion(SUBJECTS.predictorRank))
  rank(@Payload() data: unknown): Promise<RankReply> {
    return handleRpc(SUBJECTS.predictorRank, RankRequest, data, this.dead, (r) => this.host.rank(r));
  }
}
