// Checks the project's NB101 module hash (nb101Space.key, what the evaluator looks tables up by)
// against the hash nb101-space.csv.gz gives, for every one of its 423,624 cells; also that each
// cell is valid by the space's rules, that no hash repeats and that the file is in hash order.
// Prints the counts and the time taken; exits 1 on any mismatch. Usage:
//   node -r ./tools/register.cjs tools/nb101-hash-check.ts [path/to/nb101-space.csv.gz]
import { join } from 'node:path';
import { resolveDataDir, UserError } from '@dcl-enas/common';
import { nb101Space } from '@dcl-enas/spaces';
import { NB101_CELL_COLUMNS, NB101_DIR, NB101_SPACE_CELLS, NB101_SPACE_FILE, streamNb101Csv } from '@dcl-enas/benchmarks';

async function main(): Promise<number> {
  const file = process.argv[2] ?? join(resolveDataDir(), NB101_DIR, NB101_SPACE_FILE);
  const started = process.hrtime.bigint();
  const seen = new Set<string>();
  const mismatches: string[] = [];
  let cells = 0;
  let invalid = 0;
  let repeated = 0;
  let outOfOrder = 0;
  let previous = '';
  await streamNb101Csv(file, NB101_CELL_COLUMNS, ({ line, hash, cell }) => {
    cells++;
    if (nb101Space.invalidReason(cell) !== null) invalid++;
    const key = nb101Space.key(cell);
    if (key !== hash) mismatches.push(`line ${line}: file ${hash}, project ${key}`);
    if (seen.has(hash)) repeated++;
    seen.add(hash);
    if (hash <= previous) outOfOrder++;
    previous = hash;
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(`file: ${file}`);
  console.log(`cells: ${cells} (expected ${NB101_SPACE_CELLS})`);
  console.log(`hash mismatches: ${mismatches.length}`);
  for (const m of mismatches.slice(0, 10)) console.log(`  ${m}`);
  console.log(`invalid cells: ${invalid}; repeated hashes: ${repeated}; out of hash order: ${outOfOrder}`);
  console.log(`time: ${seconds.toFixed(1)} s (read, validate and hash; node ${process.version})`);
  return cells === NB101_SPACE_CELLS && mismatches.length === 0 && invalid === 0 && repeated === 0 && outOfOrder === 0 ? 0 : 1;
}

main().then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    if (!(err instanceof UserError)) throw err;
    console.error(`nb101-hash-check: ${err.message}`);
    process.exitCode = 2;
  },
);
