import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { resolveDataDir } from '@dcl-enas/common';
import { NB201_FILE } from './nb201-table';

/** The shipped table's lines (header first), CR line endings as shipped. */
export function shippedNb201Lines(): string[] {
  return gunzipSync(readFileSync(join(resolveDataDir(), NB201_FILE))).toString('utf8').split('\n');
}

/** A data directory under `root` whose nasbench201/nb201.csv.gz holds `bytes`. */
export function nb201DataDir(root: string, bytes: Buffer | string): string {
  const dataDir = mkdtempSync(join(root, 'nb201-'));
  mkdirSync(join(dataDir, 'nasbench201'));
  writeFileSync(join(dataDir, NB201_FILE), bytes);
  return dataDir;
}

/** A data directory whose table is the shipped one with `edit` applied to its lines (line 1 is lines[0]). */
export function editedNb201DataDir(root: string, edit: (lines: string[]) => void): string {
  const lines = shippedNb201Lines();
  edit(lines);
  return nb201DataDir(root, gzipSync(lines.join('\n'), { level: 1 }));
}

/** Sets one field of a CSV line, given the header line (CRLF kept as the shipped file has it). */
export function setNb201Field(lines: string[], line: number, column: string, value: string): void {
  const header = lines[0].replace(/\r$/, '').split(',');
  const at = header.indexOf(column);
  if (at < 0) throw new Error(`no column ${column}`);
  const cr = lines[line - 1].endsWith('\r');
  const cells = lines[line - 1].replace(/\r$/, '').split(',');
  cells[at] = value;
  lines[line - 1] = cells.join(',') + (cr ? '\r' : '');
}
