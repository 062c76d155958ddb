import { readFileSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { UserError } from '@dcl-enas/common';
import { ContractError, ExperimentSnapshot, LIMITS, decode, parseExperimentSpec } from '@dcl-enas/contracts';
import { apiOption, callApi, type ApiFlags } from './api-client';

export function registerSubmit(program: Command): void {
  program
    .command('submit')
    .description('submit an experiment spec (YAML or JSON) to the orchestrator; prints its id')
    .argument('<file>', 'experiment spec, e.g. examples/nb201-rea.yaml')
    .option(...apiOption)
    .option('--json', 'print the created experiment as one JSON object')
    .action(async (file: string, flags: ApiFlags & { json?: boolean }) => {
      let text: string;
      try {
        const size = statSync(file).size;
        if (size > LIMITS.specBytes) throw new UserError(`${file} is ${size} bytes: an experiment spec may be at most ${LIMITS.specBytes} bytes`);
        text = readFileSync(file, 'utf8');
      } catch (e) {
        if (e instanceof UserError) throw e;
        throw new UserError(`cannot read ${file}: give the path of an experiment spec (see examples/)`);
      }
      try {
        parseExperimentSpec(text, file); // the same check as the server's, before any network
      } catch (e) {
        if (e instanceof ContractError) throw new UserError(e.message);
        throw e;
      }
      const res = await callApi(flags, 'POST', '/experiments', { text, contentType: 'application/yaml' });
      const created = decode(ExperimentSnapshot, await res.json(), 'orchestrator reply');
      if (flags.json) process.stdout.write(JSON.stringify(created) + '\n');
      else process.stdout.write(`${created.id}\n`);
      process.stderr.write(`submitted ${created.spec.strategy} on ${created.spec.space}/${created.spec.dataset}, ${created.spec.queries} queries, seed ${created.spec.seed}: follow it with "enas watch ${created.id}"\n`);
    });
}
