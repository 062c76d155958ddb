import type { Command } from 'commander';
import { ExperimentDetail, decode } from '@dcl-enas/contracts';
import { apiOption, callApi, type ApiFlags } from './api-client';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('show an experiment: status, progress, the selected architecture')
    .argument('<id>', 'experiment id (from enas submit)')
    .option(...apiOption)
    .option('--json', 'print the experiment (with its trajectory) as one JSON object')
    .action(async (id: string, flags: ApiFlags & { json?: boolean }) => {
      const res = await callApi(flags, 'GET', `/experiments/${encodeURIComponent(id)}`);
      const x = decode(ExperimentDetail, await res.json(), 'orchestrator reply');
      if (flags.json) {
        process.stdout.write(JSON.stringify(x) + '\n');
        return;
      }
      process.stdout.write(describe(x) + '\n');
    });
}

export function describe(x: ExperimentDetail): string {
  const pct = (v: number | null) => (v === null ? 'not recorded' : `${v.toFixed(2)} %`);
  const lines = [
    `${x.id}  ${x.status}${x.reason ? ` (${x.reason})` : ''}`,
    `${x.spec.strategy} on ${x.spec.space}/${x.spec.dataset} · seed ${x.spec.seed} · ${x.queriesDone}/${x.spec.queries} architectures trained`,
  ];
  if (x.best) lines.push(`selected    ${x.best.arch}`, `validation  ${pct(x.best.valAcc)}  (the search signal)`, `test        ${pct(x.best.testAcc)}  (reported only)`);
  return lines.join('\n');
}
