import type { Command } from 'commander';
import { ExperimentSnapshot, decode } from '@dcl-enas/contracts';
import { apiOption, callApi, type ApiFlags } from './api-client';

export function registerStop(program: Command): void {
  program
    .command('stop')
    .description('stop an experiment; its waiting trials are withdrawn from the queue')
    .argument('<id>', 'experiment id (from enas submit)')
    .option(...apiOption)
    .action(async (id: string, flags: ApiFlags) => {
      const res = await callApi(flags, 'POST', `/experiments/${encodeURIComponent(id)}/stop`);
      const x = decode(ExperimentSnapshot, await res.json(), 'orchestrator reply');
      process.stdout.write(`${x.id}: ${x.status === 'running' ? 'stopping' : x.status} after ${x.queriesDone}/${x.spec.queries} trained\n`);
    });
}
