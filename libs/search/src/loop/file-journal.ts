import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { appendDurableSync, readJournalSync, UserError } from '@dcl-enas/common';
import { ContractError, decode, ExperimentEvent, ExperimentSpec } from '@dcl-enas/contracts';

export const JOURNAL_FILE = 'events.jsonl';

/**
 * An in-process experiment's event log on disk (`DIR/events.jsonl`, one event a line, each
 * appended and synced before the run goes on): what runEmbedded replays after a crash or Ctrl-C,
 * so that the same command resumes without training a finished trial again. A journal of
 * another experiment (another spec) is refused, as is one that is not a journal.
 */
export function openFileJournal(dir: string, spec: ExperimentSpec): { readonly events: readonly ExperimentEvent[]; append(event: ExperimentEvent): void } {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new UserError(`cannot create the experiment directory ${dir}: ${(e as Error).message}`);
  }
  const file = join(dir, JOURNAL_FILE);
  const events: ExperimentEvent[] = [];
  for (const [i, line] of readJournalSync(file).lines.entries()) {
    if (line.trim() === '') continue;
    try {
      events.push(decode(ExperimentEvent, JSON.parse(line), `${file} line ${i + 1}`));
    } catch (e) {
      const why = e instanceof ContractError ? e.message : `${file} line ${i + 1} is not JSON`;
      throw new UserError(`${why}: move ${dir} away to start the experiment afresh`);
    }
  }
  const created = events[0];
  // both as the schema orders them: the journal's spec was decoded, this one may not be
  if (created && (created.type !== 'created' || JSON.stringify(created.spec) !== JSON.stringify(ExperimentSpec.parse(spec)))) {
    throw new UserError(`${dir} holds the journal of another experiment (its spec differs from this one): use another --out directory, or move it away`);
  }
  return { events, append: (event) => appendDurableSync(file, JSON.stringify(event) + '\n', 'the experiment journal') };
}
