import { appendFileSync, existsSync, mkdirSync, readFileSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '@dcl-enas/common';
import type { BenchRunRecord } from './bench';

export const RUNS_FILE = 'runs.jsonl';

/**
 * The bench's run log: one JSON line per finished search. A line cut short by a crash is
 * dropped on load (that run simply runs again); a log from another space or dataset is refused.
 */
export class BenchStore {
  readonly file: string;

  constructor(dir: string, private readonly scope: { space: string; dataset: string }) {
    mkdirSync(dir, { recursive: true });
    this.file = join(dir, RUNS_FILE);
  }

  load(): BenchRunRecord[] {
    if (!existsSync(this.file)) return [];
    const text = readFileSync(this.file, 'utf8');
    const records: BenchRunRecord[] = [];
    let offset = 0;
    for (const line of text.split('\n')) {
      const lineEnd = offset + Buffer.byteLength(line) + 1;
      if (line.trim() !== '') {
        let record: BenchRunRecord;
        try {
          record = JSON.parse(line) as BenchRunRecord;
        } catch {
          if (lineEnd >= Buffer.byteLength(text)) {
            truncateSync(this.file, offset); // torn final line from an interrupted write
            break;
          }
          throw new UserError(`${this.file}: line ${records.length + 1} is not JSON; move the file away to start the bench afresh`);
        }
        if (record.space !== this.scope.space || record.dataset !== this.scope.dataset) {
          throw new UserError(
            `${this.file} holds runs of ${record.space}/${record.dataset}, not ${this.scope.space}/${this.scope.dataset}: use another --out directory`,
          );
        }
        records.push(record);
      }
      offset = lineEnd;
    }
    return records;
  }

  append(record: BenchRunRecord): void {
    appendFileSync(this.file, JSON.stringify(record) + '\n');
  }
}
