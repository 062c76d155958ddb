/**
 * Compares two bench run logs (runs.jsonl) record by record, every field but `wallSeconds`:
 * prints how many runs are in both, how many are identical, and the first differences.
 *
 *   npm run -s tool -- tools/refactor/compare-bench.ts BEFORE/runs.jsonl AFTER/runs.jsonl
 */
import { readFileSync } from 'node:fs';

type RunRecord = Record<string, unknown> & { strategy: string; queries: number; seed: number };

const load = (path: string): Map<string, string> => {
  const runs = new Map<string, string>();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const { wallSeconds: _wall, ...rest } = JSON.parse(line) as RunRecord;
    runs.set(`${rest.strategy}@${rest.queries}#${rest.seed}`, JSON.stringify(rest));
  }
  return runs;
};

function main(): void {
  const [beforePath, afterPath] = process.argv.slice(2);
  if (!beforePath || !afterPath) throw new Error('usage: compare-bench.ts BEFORE.jsonl AFTER.jsonl');
  const before = load(beforePath);
  const after = load(afterPath);
  const common = [...after.keys()].filter((k) => before.has(k));
  const different = common.filter((k) => before.get(k) !== after.get(k));
  process.stdout.write(`${afterPath}: ${after.size} runs, ${common.length} also in ${beforePath}, ${common.length - different.length} identical (every field but wallSeconds), ${different.length} different\n`);
  for (const k of different.slice(0, 5)) process.stdout.write(`  differs: ${k}\n`);
  if (different.length > 0 || common.length === 0) process.exitCode = 1;
}

main();
