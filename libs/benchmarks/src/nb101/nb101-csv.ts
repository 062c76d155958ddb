import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { checkDataFileSync, gunzipDataFile, readDataFileSync, UserError, type DataFileLimit } from '@dcl-enas/common';
import { NB101_INNER_OPS, NB101_MAX_NODES, type Nb101Arch } from '@dcl-enas/spaces';

/** nasbench101/README.txt, "Added": every NB101 cell (structure only) and 20,001 of them with metrics. */
export const NB101_SPACE_FILE = 'nb101-space.csv.gz';
export const NB101_SAMPLE_FILE = 'nb101-sample20k.csv.gz';
/** The columns every row of both files starts with. */
export const NB101_CELL_COLUMNS = ['hash', 'V', 'adjacency', 'ops'] as const;

export const NB101_CSV_FIX = 're-copy the file from the data set (nasbench101/README.txt, section "Added", gives its sha256)';
/** The space file is 11.4 MB gzipped, about 45 MB of text; the sample 1.2 MB and 4 MB: four times that is plenty. */
export const NB101_CSV_LIMIT: DataFileLimit = { maxBytes: 64 << 20, fix: NB101_CSV_FIX };
const TEXT_LIMIT: DataFileLimit = { maxBytes: 256 << 20, fix: NB101_CSV_FIX };

/** One data row of either file: its line number (the header is line 1) and its fields past the cell. */
export interface Nb101CsvCell {
  readonly line: number;
  readonly hash: string;
  /** The pruned cell as the file gives it (NB101's stored module_adjacency / module_operations). */
  readonly cell: Nb101Arch;
  /** The columns after `ops`, as text, in the header's order. */
  readonly rest: readonly string[];
}

const HASH = /^[0-9a-f]{32}$/;
const LABELS = new Set<string>(NB101_INNER_OPS);

/** One clear error for a row: file, line, what is wrong, how to fix it. */
export function csvRowError(file: string, line: number, what: string): UserError {
  return new UserError(`${file} line ${line}: ${what}; ${NB101_CSV_FIX}`);
}

/** Splits one data line and checks its cell: hash 32 hex, V 2..7, V*V 0/1 upper-triangular adjacency, input|inner ops|output. */
export function parseNb101CsvLine(text: string, columns: number, file: string, line: number): Nb101CsvCell {
  const fields = text.split(',');
  const fail = (what: string): UserError => csvRowError(file, line, what);
  if (fields.length !== columns) throw fail(`has ${fields.length} field(s), expected ${columns}`);
  const [hash, vText, adjacency, opsText] = fields;
  if (!HASH.test(hash)) throw fail(`hash ${JSON.stringify(hash)} is not 32 lower-case hex digits`);
  if (!/^[2-7]$/.test(vText)) throw fail(`V is ${JSON.stringify(vText)}, not an integer in [2, ${NB101_MAX_NODES}]`);
  const v = Number(vText);
  if (adjacency.length !== v * v || !/^[01]*$/.test(adjacency)) throw fail(`adjacency is not ${v * v} characters 0/1 (V = ${v})`);
  const matrix = Array.from({ length: v }, (_, i) => Array.from({ length: v }, (_, j) => (adjacency.charCodeAt(i * v + j) === 49 ? 1 : 0)));
  for (let i = 0; i < v; i++) for (let j = 0; j <= i; j++) if (matrix[i][j]) throw fail(`adjacency has a 1 at row ${i}, column ${j}: not upper-triangular`);
  const ops = opsText.split('|');
  if (ops.length !== v) throw fail(`ops has ${ops.length} label(s), expected V = ${v}`);
  if (ops[0] !== 'input' || ops[v - 1] !== 'output') throw fail('ops must start with input and end with output');
  for (let k = 1; k < v - 1; k++) if (!LABELS.has(ops[k])) throw fail(`op ${JSON.stringify(ops[k])} is not one of ${NB101_INNER_OPS.join(', ')}`);
  return { line, hash, cell: { matrix, ops }, rest: fields.slice(NB101_CELL_COLUMNS.length) };
}

/** The header must be exactly `expected`. */
function checkHeader(file: string, header: string | undefined, expected: readonly string[]): void {
  if (header === undefined) throw new UserError(`${file}: no header line (the file is empty); ${NB101_CSV_FIX}`);
  if (header !== expected.join(',')) throw csvRowError(file, 1, `header is ${JSON.stringify(header)}, expected ${JSON.stringify(expected.join(','))}`);
}

/** Feeds text chunks and hands out whole lines (a trailing '\r' removed); the last line may lack its '\n'. */
class LineSplitter {
  private carry = '';
  push(chunk: string, onLine: (line: string) => void): void {
    const text = this.carry + chunk;
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      onLine(text.charCodeAt(nl - 1) === 13 ? text.slice(start, nl - 1) : text.slice(start, nl));
      start = nl + 1;
    }
    this.carry = text.slice(start);
  }
  end(onLine: (line: string) => void): void {
    if (this.carry !== '') onLine(this.carry);
    this.carry = '';
  }
}

/** Called for each row; returning false stops the reading there (to read the first N rows). */
export type RowHandler = (row: Nb101CsvCell) => boolean | void;

/** Checks the header, then parses each data line; blank lines are an error (none in the files). */
class RowParser {
  private line = 0;
  constructor(
    private readonly file: string,
    private readonly header: readonly string[],
    private readonly onRow: RowHandler,
  ) {}
  stopped = false;
  readonly take = (text: string): void => {
    if (this.stopped) return;
    this.line++;
    if (this.line === 1) return checkHeader(this.file, text, this.header);
    if (text === '') throw csvRowError(this.file, this.line, 'is empty');
    if (this.onRow(parseNb101CsvLine(text, this.header.length, this.file, this.line)) === false) this.stopped = true;
  };
  finish(): void {
    if (this.line === 0) checkHeader(this.file, undefined, this.header);
  }
}

/** Every row of a CSV.gz file with header `header`, read in one piece (for the 1.2 MB sample). */
export function readNb101CsvSync(file: string, header: readonly string[], onRow: RowHandler): void {
  const text = gunzipDataFile(file, readDataFileSync(file, NB101_CSV_LIMIT), TEXT_LIMIT).toString('utf8');
  const parser = new RowParser(file, header, onRow);
  const lines = new LineSplitter();
  lines.push(text, parser.take);
  lines.end(parser.take);
  parser.finish();
}

/**
 * Every row of a CSV.gz file with header `header`, streamed (node:zlib, 64 KiB chunks): memory stays
 * small for the 423,624-row space file. Rejects with one UserError naming the file and line.
 */
export async function streamNb101Csv(file: string, header: readonly string[], onRow: RowHandler): Promise<void> {
  checkDataFileSync(file, NB101_CSV_LIMIT);
  const parser = new RowParser(file, header, onRow);
  const lines = new LineSplitter();
  const gunzip = createGunzip();
  const source = createReadStream(file).on('error', (err) => gunzip.destroy(err));
  source.pipe(gunzip);
  gunzip.setEncoding('utf8');
  try {
    for await (const chunk of gunzip) {
      lines.push(chunk as string, parser.take);
      if (parser.stopped) break;
    }
  } catch (err) {
    if (err instanceof UserError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'Z_BUF_ERROR') throw new UserError(`${file}: the gzip stream ends early (the file is truncated); ${NB101_CSV_FIX}`);
    throw new UserError(`${file}: not a readable gzip file (${(err as Error).message}); ${NB101_CSV_FIX}`);
  } finally {
    source.destroy();
  }
  lines.end(parser.take);
  parser.finish();
}
