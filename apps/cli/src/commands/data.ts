import { join } from 'node:path';
import { Command } from 'commander';
import { dataCheckOk, resolveDataDir, type DataCheck } from '@dcl-enas/common';
import { checkNb101Data, checkNb201Data } from '@dcl-enas/benchmarks';
import { checkMitdbData } from '@dcl-enas/ecg';

/** Each data set through the same loaders and validation a search uses; nothing in the data folder is modified. */
function checkData(dataDir: string): DataCheck[] {
  return [checkNb201Data(dataDir), ...checkNb101Data(dataDir), checkMitdbData(join(dataDir, 'mitdb'))];
}

export function registerData(program: Command): void {
  const data = program.command('data').description('inspect the benchmark and ECG data');
  data
    .command('check')
    .description('load and validate each data set (NB101: one line per file); MISSING or BAD with the reason, non-zero exit if any is')
    .option('--json', 'print exactly one JSON object on stdout')
    .action((flags: { json?: boolean }) => {
      const dataDir = resolveDataDir();
      const checks = checkData(dataDir).map((c) => ({ ...c, ok: dataCheckOk(c) }));
      if (flags.json) process.stdout.write(JSON.stringify({ dataDir, checks }) + '\n');
      else {
        process.stdout.write(`data directory: ${dataDir}\n`);
        for (const c of checks) process.stdout.write(`${c.status.padEnd(7)} ${c.name.padEnd(6)} ${c.detail}\n`);
      }
      if (checks.some((c) => !c.ok)) process.exitCode = 1;
    });
}
