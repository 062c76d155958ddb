import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { PretrainRequest, SUBJECTS, anyVersion, type PretrainReply } from '@dcl-enas/contracts';
import { DEAD_LETTERS, RPC_HOST, handleRpc, type DeadLetters } from '@dcl-enas/cluster';
import type { EncoderHost } from './encoder-host';

@Controller()
export class EncoderController {
  constructor(
    @Inject(RPC_HOST) private readonly host: EncoderHost,
    @Inject(DEAD_LETTERS) private readonly dead: DeadLetters,
  ) {}

  @MessagePattern(anyVersion(SUBJECTS.encoderPretrain))
  pretrain(@Payload() data: unknown): Promise<PretrainReply> {
    return handleRpc(SUBJECTS.encoderPretrain, PretrainRequest, data, this.dead, (r) => this.host.pretrain(r));
  }
}
