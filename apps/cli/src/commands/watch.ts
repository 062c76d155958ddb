import type { Command } from 'commander';
import { createParser } from 'eventsource-parser';
import { UserError } from '@dcl-enas/common';
import { ContractError, ProgressEvent, decode } from '@dcl-enas/contracts';
import { apiOption, experimentId, apiUrl, callApi, type ApiFlags } from './api-client';
import { fetchExperiment, printExperiment } from './status';

const MAX_EVENT_BYTES = 16 * 1024 * 1024;

export function registerWatch(program: Command): void {
  program
    .command('watch')
    .description('follow an experiment until it ends: one line per trained architecture')
    .argument('<id>', 'experiment id (from enas submit)', experimentId)
    .option(...apiOption)
    .option('--json', 'at the end print the experiment (with its trajectory) as one JSON object; progress goes to stderr')
    .action(async (id: string, flags: ApiFlags & { json?: boolean }) => {
      const out = flags.json ? process.stderr : process.stdout;
      const res = await callApi(flags, 'GET', `/experiments/${encodeURIComponent(id)}/events`, undefined, true);
      let total = 0;
      let final: ProgressEvent | null = null;
      let pending = 0; // bytes since the last whole event: an event stream that never ends one is not the orchestrator's
      const parser = createParser({
        onEvent: (message) => {
          pending = 0;
          const e = progressEvent(message.data, apiUrl(flags));
          if (e.type === 'state') {
            total = e.experiment.spec.queries;
            out.write(`${e.experiment.id}: ${e.experiment.status}, ${e.experiment.queriesDone}/${total} trained\n`);
          } else if (e.type === 'trial') {
            out.write(`query ${e.query}/${total}  val ${e.valAcc.toFixed(2)}  best ${e.best.valAcc.toFixed(2)} (test ${e.best.testAcc?.toFixed(2) ?? 'n/a'})  ${e.arch}\n`);
          } else if (e.type === 'failed') {
            out.write(`trial ${e.index} failed: ${e.reason}  ${e.arch}\n`);
          } else {
            out.write(`status ${e.status}${e.reason ? `: ${e.reason}` : ''}\n`);
            if (e.status !== 'running' && e.status !== 'queued') final = e;
          }
        },
      });
      const decoder = new TextDecoder();
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          pending += chunk.length;
          if (pending > MAX_EVENT_BYTES) throw new UserError(`${apiUrl(flags)} sent more than ${MAX_EVENT_BYTES} bytes without ending an event: is --api / ENAS_API_URL the orchestrator's address?`);
          parser.feed(decoder.decode(chunk, { stream: true }));
        }
      } catch (e) {
        if (e instanceof UserError) throw e;
        throw new UserError(`the stream of ${id} from the orchestrator broke off (${(e as Error).message}): run "enas watch ${id}" again`, 1);
      }
      if (final === null) throw new UserError(`the orchestrator closed the stream of ${id} before it ended: run "enas watch ${id}" again`, 1);
      const detail = await fetchExperiment(flags, id);
      printExperiment(detail, flags.json);
      process.exitCode = detail.status === 'completed' ? 0 : 1;
    });
}

function progressEvent(data: string, base: string): ProgressEvent {
  try {
    return decode(ProgressEvent, JSON.parse(data), 'progress event');
  } catch (e) {
    if (!(e instanceof ContractError || e instanceof SyntaxError)) throw e;
    throw new UserError(`${base} sent an event that is not a progress event (${e.message.replace(/\s+/g, ' ').slice(0, 200)}): is --api / ENAS_API_URL the orchestrator's address?`);
  }
}
