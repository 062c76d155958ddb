import type { Command } from 'commander';
import { UserError } from '@dcl-enas/common';
import { ContractError, ExperimentSnapshot, LIMITS, parseExperimentSpec, specSpaceName } from '@dcl-enas/contracts';
import { readInputFile } from '../io';
import { apiOption, callApiJson, type ApiFlags } from './api-client';

export function registerSubmit(program: Command): void {
  program
    .command('submit')
    .description('submit an experiment spec (YAML or JSON) to the orchestrator; prints its id')
    .argument('<file>', 'experiment spec, e.g. examples/nb201-rea.yaml')
    .option(...apiOption)
    .option('--json', 'print the created experiment as one JSON object')
    .action(async (file: string, flags: ApiFlags & { json?: boolean }) => {
      const text = readInputFile(file, 'experiment spec', LIMITS.specBytes, 'give the path of an experiment spec, YAML or JSON (see examples/)');
      try {
        parseExperimentSpec(text, file); // the same check as the server's, before any network
      } catch (e) {
        if (e instanceof ContractError) throw new UserError(e.message);
        throw e;
      }
      const created = await callApiJson(flags, 'POST', '/experiments', ExperimentSnapshot, { text, contentType: 'application/yaml' });
      if (flags.json) process.stdout.write(JSON.stringify(created) + '\n');
      else process.stdout.write(`${created.id}\n`);
      process.stderr.write(`submitted ${created.spec.strategy} on ${specSpaceName(created.spec.space)}/${created.spec.dataset}, ${created.spec.queries} queries, seed ${created.spec.seed}: follow it with "enas watch ${created.id}"\n`);
    });
}
