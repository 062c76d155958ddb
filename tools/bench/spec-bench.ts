/**
 * Strategies x seeds over one experiment spec (a user's own problem: a declared space and a
 * trial command), each run through `enas search --spec` exactly as a user runs it, into
 * OUT/<strategy>-seed<seed>/ (resumable: a finished run's result.json is kept and read back).
 * Prints a markdown table of the selected trial's objective metric and wall time.
 *
 *   npm run -s tool -- tools/bench/spec-bench.ts SPEC.yaml OUT dcl-enas,rea,random 0..4
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse as parseYaml, stringify } from 'yaml';
import { mean, std } from '@dcl-enas/common';

interface RunResult {
  strategy: string;
  seed: number;
  metric: number;
  reported: Record<string, number>;
  failed: number;
  wallSeconds: number;
}

function main(): void {
  const [specPath, out, strategyList, seedRange] = process.argv.slice(2);
  if (!specPath || !out || !strategyList || !seedRange) throw new Error('usage: spec-bench.ts SPEC.yaml OUT a,b,c FROM..TO');
  const spec = parseYaml(readFileSync(specPath, 'utf8')) as Record<string, unknown> & { objective: { metric: string } };
  const [from, to] = seedRange.split('..').map(Number);
  const runs: RunResult[] = [];
  mkdirSync(out, { recursive: true });
  for (let seed = from; seed <= to; seed++)
    for (const strategy of strategyList.split(',')) {
      const dir = resolve(out, `${strategy}-seed${seed}`);
      const resultFile = join(dir, 'bench-result.json');
      if (!existsSync(resultFile)) {
        mkdirSync(dir, { recursive: true });
        const variant = join(dir, 'spec.yaml');
        writeFileSync(variant, stringify({ ...spec, name: `${String(spec['name'] ?? 'spec')}-${strategy}-s${seed}`, strategy, seed }));
        const started = Date.now();
        const run = spawnSync(process.execPath, ['-r', './tools/register.cjs', 'apps/cli/src/main.ts', 'search', '--spec', variant, '--out', dir, '--json'], { encoding: 'utf8', maxBuffer: 64 << 20 });
        if (run.status !== 0) throw new Error(`${strategy} seed ${seed}: ${run.stderr.trim().split('\n').pop()}`);
        const result = JSON.parse(run.stdout) as { best: { metrics: Record<string, number> }; failedTrials: unknown[] };
        const record: RunResult = { strategy, seed, metric: result.best.metrics[spec.objective.metric]!, reported: result.best.metrics, failed: result.failedTrials.length, wallSeconds: (Date.now() - started) / 1000 };
        writeFileSync(resultFile, JSON.stringify(record) + '\n');
        process.stderr.write(`${strategy} seed ${seed}: ${spec.objective.metric} ${record.metric} (${record.wallSeconds.toFixed(0)} s)\n`);
      }
      runs.push(JSON.parse(readFileSync(resultFile, 'utf8')) as RunResult);
    }
  const rows = strategyList.split(',').map((strategy) => {
    const mine = runs.filter((r) => r.strategy === strategy);
    const values = mine.map((r) => r.metric);
    const extra = Object.keys(mine[0]?.reported ?? {}).filter((k) => k !== spec.objective.metric);
    const others = extra.map((k) => `${k} ${mean(mine.map((r) => r.reported[k] ?? NaN)).toFixed(2)}`).join(', ');
    return `| ${strategy} | ${mine.length} | ${mean(values).toFixed(2)} | ${std(values).toFixed(2)} | ${Math.max(...values).toFixed(2)} | ${others} | ${mean(mine.map((r) => r.failed)).toFixed(1)} | ${mean(mine.map((r) => r.wallSeconds)).toFixed(0)} |`;
  });
  process.stdout.write(
    [`| strategy | runs | ${spec.objective.metric} mean | std | best | other metrics of the selected trial (mean) | failed trials (mean) | wall s (mean) |`, '|---|---:|---:|---:|---:|---|---:|---:|', ...rows].join('\n') + '\n',
  );
}

main();
