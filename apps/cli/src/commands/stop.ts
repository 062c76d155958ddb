import type { Command } from 'commander';
import { ExperimentSnapshot } from '@dcl-enas/contracts';
import { apiOption, experimentId, callApiJson, type ApiFlags } from './api-client';

export function registerStop(program: Command): void {
  program
    .command('stop')
    .description('stop an experiment; its waiting trials are withdrawn from the queue')
    .argument('<id>', 'experiment id (from enas submit)', experimentId)
    .option(...apiOption)
    .action(async (id: string, flags: ApiFlags) => {
      const x = await callApiJson(flags, 'POST', `/experiments/${encodeURIComponent(id)}/stop`, ExperimentSnapshot);
      process.stdout.write(`${x.id}: ${x.status === 'running' ? 'stopping' : x.status} after ${x.queriesDone}/${x.spec.queries} trained\n`);
    });
}
