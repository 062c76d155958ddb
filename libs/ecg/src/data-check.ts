import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UserError, type DataCheck } from '@dcl-enas/common';
import { checkRecordSync } from '@dcl-enas/wfdb';
import { NON_PACED_RECORDS, PACED_RECORDS } from './records';

/** The 48 records of the MIT-BIH Arrhythmia Database. */
export const MITDB_RECORDS: readonly number[] = [...NON_PACED_RECORDS, ...PACED_RECORDS].sort((a, b) => a - b);

/**
 * Each of the 48 records through the WFDB reader: header and annotations parsed and checked,
 * signal files of the size the header implies (the samples' checksums are verified whenever a
 * record is read for training).
 */
export function checkMitdbData(mitdbDir: string): DataCheck {
  const name = 'mitdb';
  if (!existsSync(mitdbDir)) return { name, status: 'MISSING', detail: `no records in ${mitdbDir}: place the 48 MIT-BIH Arrhythmia Database records (.hea, .dat, .atr) there` };
  const missing: string[] = [];
  const bad: string[] = [];
  for (const record of MITDB_RECORDS) {
    const files = ['hea', 'dat', 'atr'].map((ext) => join(mitdbDir, `${record}.${ext}`));
    if (!files.every((f) => existsSync(f))) {
      missing.push(String(record));
      continue;
    }
    try {
      checkRecordSync(mitdbDir, String(record));
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      bad.push(err.message);
    }
  }
  if (bad.length > 0) return { name, status: 'BAD', detail: bad.length === 1 ? bad[0] : `${bad[0]} (and ${bad.length - 1} more bad records)` };
  if (missing.length === MITDB_RECORDS.length) return { name, status: 'MISSING', detail: `no records in ${mitdbDir}: place the 48 MIT-BIH Arrhythmia Database records (.hea, .dat, .atr) there` };
  if (missing.length > 0) return { name, status: 'MISSING', detail: `${missing.length} of 48 records lack a .hea, .dat or .atr file in ${mitdbDir}: ${missing.join(', ')}` };
  return { name, status: 'ok', detail: `48 of 48 records (${mitdbDir}): headers, annotations and signal file sizes checked` };
}
