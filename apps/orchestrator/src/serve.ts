import { NestFactory } from '@nestjs/core';
import { Module } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { EventLog, HealthModule, StartupError, TrialQueue, answerTrialQuestions, bearerAuth, createTrainerConsumer, listenHttp, onShutdown, openServiceContext, orchestratorConfig, rpcClient } from '@dcl-enas/cluster';
import { launcherSettingsFromEnv } from '@dcl-enas/k8s-launcher';
import { CONSUMERS, LIMITS, STREAMS } from '@dcl-enas/contracts';
import { DASHBOARD_OPEN_PATHS } from '@dcl-enas/dashboard';
import { ExperimentManager } from './experiment-manager';
import { ExperimentsController, MANAGER } from './experiments.controller';
import { DASHBOARD, DashboardController, OrchestratorDashboard } from './dashboard';
import { defaultTemplate, openTrials, type Trials } from './trial-launchers';

@Module({})
class OrchestratorModule {}

/** The orchestrator: experiments from their event logs, and the HTTP API. */
export async function serveOrchestrator(natsUrl?: string): Promise<void> {
  const config = orchestratorConfig(process.env, natsUrl);
  const launcherSettings = launcherSettingsFromEnv(process.env);
  const fallbackTemplate = defaultTemplate(launcherSettings);
  const ctx = await openServiceContext(config);
  // Queue mode: the trainers' consumer exists before any trainer runs, so that KEDA reads the trial backlog on it and scales trainers up from zero.
  if (launcherSettings.mode === 'queue') {
    await createTrainerConsumer(ctx.nc).catch((e: Error) => {
      throw new StartupError(`JetStream refused the trainers' consumer ${CONSUMERS.trainers} on ${STREAMS.trials}: ${e.message.split('\n')[0]}`);
    });
  }
  ctx.readiness.set('experiments', 'resuming experiments');
  const log = await EventLog.open(ctx.nc, ctx.dead);
  const rpc = rpcClient(ctx);
  // The launcher asks the manager (created next) for an experiment's spec only once trials flow.
  const trials: Trials = await openTrials(launcherSettings, fallbackTemplate, await TrialQueue.open(ctx.nc, log), log, ctx.logger, async (id) => (await manager.get(id)).spec).catch(
    async (error: unknown) => {
      await ctx.nc.close(); // so that the process ends with the error
      throw error;
    },
  );
  const manager = new ExperimentManager(ctx, log, trials.dispatcher, rpc, trials.hooks);
  const dashboard = new OrchestratorDashboard(ctx, log, manager);
  const app = await NestFactory.create<NestExpressApplication>(
    { module: OrchestratorModule, imports: [HealthModule.register(ctx.readiness)], controllers: [ExperimentsController, DashboardController], providers: [{ provide: MANAGER, useValue: manager }, { provide: DASHBOARD, useValue: dashboard }] },
    { logger: ['error', 'warn'] },
  );
  // Before any route or body parser: a request without the token is refused unread (docs/security.md).
  // The dashboard's page holds no data and asks for the token itself; its API stays behind it.
  if (config.apiToken) app.use(bearerAuth(config.apiToken, [...config.apiOpenPaths, ...DASHBOARD_OPEN_PATHS]));
  else ctx.logger.warn('ENAS_API_TOKEN is not set: the HTTP API accepts requests without authentication');
  app.useBodyParser('text', { type: ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/plain'], limit: LIMITS.specBytes });
  app.useBodyParser('json', { limit: LIMITS.specBytes });
  await listenHttp(app, ctx);
  const resumed = await manager.start();
  const questions = answerTrialQuestions(ctx.nc, (id, index) => manager.isAnswered(id, index), ctx.logger);
  ctx.readiness.set('experiments', null);
  dashboard.start();
  ctx.logger.info({ resumed, maxRunning: config.maxRunningExperiments }, 'orchestrator ready');
  onShutdown(ctx, async () => {
    questions.unsubscribe();
    await manager.close();
    await dashboard.close();
    await trials.close();
    await app.close();
    await rpc.close();
  });
}
