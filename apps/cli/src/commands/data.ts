import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { resolveDataDir } from '@dcl-enas/common';
import { loadNb201, NB201_FILE } from '@dcl-enas/benchmarks';

interface CheckLine {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** What each data set needs to be usable, checked without modifying anything. */
function checkData(dataDir: string): CheckLine[] {
  const lines: CheckLine[] = [];
  try {
    const t = loadNb201(dataDir);
    lines.push({ name: 'nb201', ok: true, detail: `${t.trainSeconds.length} cells (${join(dataDir, NB201_FILE)})` });
  } catch (e) {
    lines.push({ name: 'nb201', ok: false, detail: (e as Error).message });
  }
  const nb101Dir = join(dataDir, 'nasbench101');
  const release = ['nasbench_only108.tfrecord', 'nasbench_full.tfrecord'].find((f) => existsSync(join(nb101Dir, f)));
  const subset = existsSync(join(nb101Dir, 'nb101_naslib_zc_subset500.jsonl.gz'));
  lines.push({
    name: 'nb101',
    ok: subset || release !== undefined,
    detail: release
      ? `full release ${join(nb101Dir, release)}`
      : subset
        ? `500-cell subset only (predictor evaluation); a search needs nasbench_only108.tfrecord from the official NAS-Bench-101 release in ${nb101Dir}`
        : `nothing found in ${nb101Dir}: place nasbench_only108.tfrecord (official NAS-Bench-101 release) there`,
  });
  const mitdbDir = join(dataDir, 'mitdb');
  const records = existsSync(mitdbDir) ? readdirSync(mitdbDir).filter((f) => f.endsWith('.hea')).map((f) => f.slice(0, -4)) : [];
  const incomplete = records.filter((r) => !existsSync(join(mitdbDir, `${r}.dat`)) || !existsSync(join(mitdbDir, `${r}.atr`)));
  lines.push({
    name: 'mitdb',
    ok: records.length === 48 && incomplete.length === 0,
    detail:
      records.length === 0
        ? `no records in ${mitdbDir}: place the 48 MIT-BIH Arrhythmia Database records (.hea, .dat, .atr) there`
        : incomplete.length > 0
          ? `records missing .dat or .atr: ${incomplete.join(', ')}`
          : `${records.length} of 48 records (${mitdbDir})`,
  });
  return lines;
}

export function registerData(program: Command): void {
  const data = program.command('data').description('inspect the benchmark and ECG data');
  data
    .command('check')
    .description('check that each data set is present and readable')
    .option('--json', 'print exactly one JSON object on stdout')
    .action((flags: { json?: boolean }) => {
      const dataDir = resolveDataDir();
      const lines = checkData(dataDir);
      if (flags.json) process.stdout.write(JSON.stringify({ dataDir, checks: lines }) + '\n');
      else {
        process.stdout.write(`data directory: ${dataDir}\n`);
        for (const l of lines) process.stdout.write(`${l.ok ? 'ok     ' : 'MISSING'} ${l.name.padEnd(6)} ${l.detail}\n`);
      }
      if (lines.some((l) => !l.ok)) process.exitCode = 1;
    });
}
