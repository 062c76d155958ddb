import { BUCKETS, type PretrainReply, type PretrainRequest } from '@dcl-enas/contracts';
import type { Logger, ObjectStores } from '@dcl-enas/cluster';
import { problemFor } from '@dcl-enas/experiments';
import type { PredictorEngine } from '@dcl-enas/predictor-engines';

/** Stage-1 pre-training, once per space and configuration: the result is kept in `enas-encoders`. */
export class EncoderHost {
  private readonly running = new Map<string, Promise<PretrainReply>>();

  constructor(
    private readonly engine: PredictorEngine,
    private readonly stores: ObjectStores,
    private readonly logger: Logger,
  ) {}

  async pretrain(req: PretrainRequest): Promise<PretrainReply> {
    if (req.engine !== this.engine.name) throw new Error(`this encoder service runs engine ${this.engine.name}, the request asks for ${req.engine}: set the same ENAS_PREDICTOR_ENGINE on both services`);
    const space = problemFor(req.space).space;
    const request = { space: space.name, variant: req.variant, seed: req.seed };
    const key = this.engine.encoderKey(space, request);
    if (key === null) return { encoder: null, cached: true, seconds: 0 };
    const stored = await this.stores.find(BUCKETS.encoders, key);
    if (stored) return { encoder: stored, cached: true, seconds: 0 };
    let job = this.running.get(key);
    if (!job) {
      job = (async () => {
        const started = performance.now();
        const bytes = await this.engine.pretrain(space, request);
        if (bytes === null) return { encoder: null, cached: false, seconds: 0 };
        const encoder = await this.stores.put(BUCKETS.encoders, key, bytes);
        const seconds = (performance.now() - started) / 1000;
        this.logger.info({ key, bytes: bytes.length, seconds }, 'encoder pre-trained');
        return { encoder, cached: false, seconds };
      })();
      this.running.set(key, job);
      void job.finally(() => this.running.delete(key)).catch(() => undefined);
    }
    return job;
  }
}
