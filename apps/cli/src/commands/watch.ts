import type { Command } from 'commander';
import { createParser } from 'eventsource-parser';
import { UserError } from '@dcl-enas/common';
import { ProgressEvent, decode } from '@dcl-enas/contracts';
import { apiOption, callApi, type ApiFlags } from './api-client';
import { fetchExperiment, printExperiment } from './status';

export function registerWatch(program: Command): void {
  program
    .command('watch')
    .description('follow an experiment until it ends: one line per trained architecture')
    .argument('<id>', 'experiment id (from enas submit)')
    .option(...apiOption)
    .option('--json', 'at the end print the experiment (with its trajectory) as one JSON object; progress goes to stderr')
    .action(async (id: string, flags: ApiFlags & { json?: boolean }) => {
      const out = flags.json ? process.stderr : process.stdout;
      const res = await callApi(flags, 'GET', `/experiments/${encodeURIComponent(id)}/events`);
      let total = 0;
      let final: ProgressEvent | null = null;
      const parser = createParser({
        onEvent: (message) => {
          const e = decode(ProgressEvent, JSON.parse(message.data), 'progress event');
          if (e.type === 'state') {
            total = e.experiment.spec.queries;
            out.write(`${e.experiment.id}: ${e.experiment.status}, ${e.experiment.queriesDone}/${total} trained\n`);
          } else if (e.type === 'trial') {
            out.write(`query ${e.query}/${total}  val ${e.valAcc.toFixed(2)}  best ${e.best.valAcc.toFixed(2)} (test ${e.best.testAcc?.toFixed(2) ?? 'n/a'})  ${e.arch}\n`);
          } else {
            out.write(`status ${e.status}${e.reason ? `: ${e.reason}` : ''}\n`);
            if (e.status !== 'running' && e.status !== 'queued') final = e;
          }
        },
      });
      const decoder = new TextDecoder();
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) parser.feed(decoder.decode(chunk, { stream: true }));
      if (final === null) throw new UserError(`the orchestrator closed the stream of ${id} before it ended: run "enas watch ${id}" again`, 1);
      const detail = await fetchExperiment(flags, id);
      printExperiment(detail, flags.json);
      process.exitCode = detail.status === 'completed' ? 0 : 1;
    });
}
