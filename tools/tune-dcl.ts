/**
 * Chooses DCL-ENAS' cycle settings (nInit, nInfill, tGap, ...) on tuning seeds kept apart from
 * the reporting seeds 0..24. Prints one line per run (resumable via the log) and a table.
 * Run: npm run -s tool -- tools/tune-dcl.ts [dataset,...] [seedFrom..seedTo] [queries] [log]
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { mean, Rng, resolveDataDir } from '@dcl-enas/common';
import { openBenchmark } from '@dcl-enas/benchmarks';
import { DCL_ENAS_DEFAULTS, dclEnas, runSearch, type DclEnasOptions } from '@dcl-enas/search';
import { inProcessPredictors } from '@dcl-enas/predictor';

const CONFIGS: Record<string, Partial<DclEnasOptions>> = {
  'init20-infill10-tgap5': { nInit: 20, nInfill: 10, tGap: 5 },
  'init10-infill10-tgap5': { nInit: 10, nInfill: 10, tGap: 5 },
  'init30-infill10-tgap5': { nInit: 30, nInfill: 10, tGap: 5 },
  'init20-infill5-tgap5': { nInit: 20, nInfill: 5, tGap: 5 },
  'init20-infill10-tgap10': { nInit: 20, nInfill: 10, tGap: 10 },
};

async function main(): Promise<void> {
  const datasets = (process.argv[2] ?? 'cifar10,cifar100').split(',');
  const [from, to] = (process.argv[3] ?? '100..104').split('..').map(Number);
  const queries = Number(process.argv[4] ?? 100);
  const log = process.argv[5] ?? 'bench-out/tune-dcl.jsonl';
  const done = new Map<string, number>();
  if (existsSync(log)) for (const line of readFileSync(log, 'utf8').split('\n').filter(Boolean)) { const r = JSON.parse(line); done.set(r.id, r.test); }
  for (const dataset of datasets) {
    const { evaluator } = openBenchmark('nb201', dataset, resolveDataDir());
    const predictors = inProcessPredictors(evaluator.space, { log: (l) => process.stderr.write(l + '\n') });
    for (let seed = from; seed <= to; seed++)
      for (const [name, overrides] of Object.entries(CONFIGS)) {
        const id = `${dataset}/${name}/${seed}/${queries}`;
        if (done.has(id)) continue;
        const t0 = performance.now();
        const strategy = dclEnas({ space: evaluator.space, rng: Rng.seeded(seed), seed, budget: queries, predictors }, { ...DCL_ENAS_DEFAULTS, ...overrides });
        const outcome = await runSearch({ evaluator, dataset, strategy, queries });
        const rec = { id, dataset, config: name, seed, queries, test: outcome.best.testAcc, val: outcome.best.valAcc, wall: (performance.now() - t0) / 1000 };
        appendFileSync(log, JSON.stringify(rec) + '\n');
        done.set(id, rec.test!);
        process.stderr.write(`${id}: test ${rec.test} val ${rec.val} (${rec.wall.toFixed(1)} s)\n`);
      }
  }
  const lines = ['| config | ' + datasets.join(' | ') + ' |', '|---|' + datasets.map(() => '---:').join('|') + '|'];
  for (const name of Object.keys(CONFIGS)) {
    const cells = datasets.map((d) => {
      const xs = [...done.entries()].filter(([id]) => id.startsWith(`${d}/${name}/`) && id.endsWith(`/${queries}`)).map(([, t]) => t);
      return `${mean(xs).toFixed(2)} (n=${xs.length})`;
    });
    lines.push(`| ${name} | ${cells.join(' | ')} |`);
  }
  process.stdout.write(lines.join('\n') + '\n');
}

void main();
