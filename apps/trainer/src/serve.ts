import { NestFactory } from '@nestjs/core';
import { Module } from '@nestjs/common';
import { resolveDataDir } from '@dcl-enas/common';
import { EventLog, HealthModule, TrialWorker, instrumentTrainer, listenHttp, onShutdown, openServiceContext, registerQueueDepth, trainerConfig } from '@dcl-enas/cluster';
import { trialTrainer } from './trial-trainer';

@Module({})
class TrainerModule {}

/** The trainer: work-queue consumer plus health endpoints. */
export async function serveTrainer(natsUrl?: string): Promise<void> {
  const config = trainerConfig(process.env, natsUrl);
  const dataDir = config.dataDir ?? resolveDataDir();
  const ctx = await openServiceContext(config);
  const log = await EventLog.open(ctx.nc, ctx.dead);
  const worker = new TrialWorker(ctx.nc, log, ctx.dead, instrumentTrainer(ctx.metrics, trialTrainer(() => dataDir, config.timeScale)), config, ctx.logger);
  registerQueueDepth(ctx.metrics, ctx.nc);
  const app = await NestFactory.create({ module: TrainerModule, imports: [HealthModule.register(ctx.readiness)] }, { logger: ['error', 'warn'] });
  await listenHttp(app, ctx);
  await worker.start();
  ctx.logger.info({ concurrency: config.concurrency, ackWaitMs: config.ackWaitMs, timeScale: config.timeScale, dataDir }, 'trainer ready');
  onShutdown(ctx, async () => {
    await worker.stop();
    await app.close();
  });
}
