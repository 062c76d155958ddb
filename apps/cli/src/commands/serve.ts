import 'reflect-metadata';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Command } from 'commander';
import { UserError } from '@dcl-enas/common';

/** Each service's start function, in its app (loaded at run time: apps never import apps). */
const SERVICES: Record<string, { app: string; start: string }> = {
  orchestrator: { app: 'orchestrator', start: 'serveOrchestrator' },
  encoder: { app: 'encoder-service', start: 'serveEncoder' },
  predictor: { app: 'predictor-service', start: 'servePredictor' },
  trainer: { app: 'trainer', start: 'serveTrainer' },
};

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run one cluster service against NATS JetStream (configuration: docs/configuration.md)')
    .argument('<service>', `the service: ${Object.keys(SERVICES).join(', ')}`)
    .option('--nats <url>', 'NATS server URL(s), comma-separated (default: NATS_URL, else nats://127.0.0.1:4222)')
    .action(async (service: string, flags: { nats?: string }) => {
      const entry = SERVICES[service];
      if (!entry) throw new UserError(`unknown service "${service}": use one of ${Object.keys(SERVICES).join(', ')}`);
      const appsDir = join(__dirname, '..', '..', '..');
      const mod = createRequire(__filename)(join(appsDir, entry.app, 'src', 'serve.ts')) as Record<string, (natsUrl?: string) => Promise<void>>;
      try {
        await mod[entry.start](flags.nats);
      } catch (e) {
        // One line, what the start-up opened closed, exit non-zero (an open NATS connection would keep the process alive).
        const { exitOnStartFailure } = await import('@dcl-enas/cluster');
        await exitOnStartFailure('enas', e);
      }
      // The service runs until SIGTERM/SIGINT, which it handles itself.
    });
}
