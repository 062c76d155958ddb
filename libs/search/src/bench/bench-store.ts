import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { appendDurableSync, readJournalSync, UserError } from '@dcl-enas/common';
import { runId, type BenchRunRecord } from './bench';

export const RUNS_FILE = 'runs.jsonl';

/**
 * The bench's run log, a journal: one JSON line per finished search, appended and flushed to
 * disk (fsync) before the bench goes on. A crash can only leave the last line unfinished; it
 * is cut off on load and that run simply runs again (runs are deterministic). A write that
 * fails (disk full) is rolled back to the last whole line and reported. A log from another
 * space or dataset is refused; a run recorded twice is read once.
 */
export class BenchStore {
  readonly file: string;
  private torn = false;

  constructor(dir: string, private readonly scope: { space: string; dataset: string }) {
    try {
      mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw new UserError(`cannot create the bench directory ${dir}: ${(e as Error).message}`);
    }
    this.file = join(dir, RUNS_FILE);
  }

  load(): BenchRunRecord[] {
    const { lines } = readJournalSync(this.file);
    const records: BenchRunRecord[] = [];
    const seen = new Set<string>();
    for (const [i, line] of lines.entries()) {
      if (line.trim() === '') continue;
      let record: BenchRunRecord;
      try {
        record = JSON.parse(line) as BenchRunRecord;
      } catch {
        throw new UserError(`${this.file}: line ${i + 1} is not JSON; move the file away to start the bench afresh`);
      }
      if (record.space !== this.scope.space || record.dataset !== this.scope.dataset) {
        throw new UserError(
          `${this.file} holds runs of ${record.space}/${record.dataset}, not ${this.scope.space}/${this.scope.dataset}: use another --out directory`,
        );
      }
      const id = runId(record);
      if (seen.has(id)) continue;
      seen.add(id);
      records.push(record);
    }
    return records;
  }

  append(record: BenchRunRecord): void {
    if (this.torn) readJournalSync(this.file); // after a failed append, cut off anything its roll-back left
    try {
      appendDurableSync(this.file, JSON.stringify(record) + '\n', 'the runs stored so far are kept: make room and run the same command again to resume');
    } catch (e) {
      this.torn = true;
      throw e;
    }
  }
}
