/**
 * Chooses DCL-ENAS' settings on tuning seeds kept apart from the reporting seeds 0..24: the
 * cycle settings (nInit, nInfill, tGap) and the predictor's fine-tuning schedule during search
 * (SEARCH_SCHEDULE). Prints one line per run (resumable via the log) and a table.
 * Run: npm run -s tool -- tools/tune-dcl.ts [dataset,...] [seedFrom..seedTo] [queries] [log] [cycles,...] [schedules,...]
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { mean, Rng, resolveDataDir } from '@dcl-enas/common';
import { openNb201 } from '@dcl-enas/benchmarks';
import { DCL_ENAS_DEFAULTS, dclEnas, searchWithEvaluator, type DclEnasOptions } from '@dcl-enas/search';
import { inProcessPredictors, type ConfigOverrides } from '@dcl-enas/predictor';

const CYCLES: Record<string, Partial<DclEnasOptions>> = {
  'init20-infill10-tgap5': { nInit: 20, nInfill: 10, tGap: 5 },
  'init10-infill10-tgap5': { nInit: 10, nInfill: 10, tGap: 5 },
  'init30-infill10-tgap5': { nInit: 30, nInfill: 10, tGap: 5 },
  'init20-infill5-tgap5': { nInit: 20, nInfill: 5, tGap: 5 },
  'init20-infill10-tgap10': { nInit: 20, nInfill: 10, tGap: 10 },
  'init20-infill5-tgap5-local1': { nInit: 20, nInfill: 5, tGap: 5, localInfill: 1 },
  'init20-infill5-tgap5-local2': { nInit: 20, nInfill: 5, tGap: 5, localInfill: 2 },
};

/** Patches over SEARCH_SCHEDULE; `current` is the schedule as committed. */
const SCHEDULES: Record<string, ConfigOverrides> = {
  current: {},
  'e1-fixed100-refresh20': { finetune: { ensemble: 1, refit: false, holdout: 0, epochs: 100, refreshEpochs: 20 } },
  'e1-fixed60-refresh10': { finetune: { ensemble: 1, refit: false, holdout: 0, epochs: 60, refreshEpochs: 10 } },
  'e2-fixed100-refresh20': { finetune: { ensemble: 2, refit: false, holdout: 0, epochs: 100, refreshEpochs: 20 } },
  // the evaluation preset (early stopping, ensemble of 3, refit): several times slower
  'eval-preset': { finetune: { ensemble: 3, refit: true, holdout: 0.2, epochs: 300, refreshEpochs: 60 } },
};

const pick = <T>(all: Record<string, T>, arg: string | undefined, fallback: string[]): [string, T][] =>
  (arg ? arg.split(',') : fallback).map((name) => {
    if (!(name in all)) throw new Error(`unknown setting "${name}": use one of ${Object.keys(all).join(', ')}`);
    return [name, all[name]];
  });

async function main(): Promise<void> {
  const datasets = (process.argv[2] ?? 'cifar10,cifar100').split(',');
  const [from, to] = (process.argv[3] ?? '100..104').split('..').map(Number);
  const queries = Number(process.argv[4] ?? 100);
  const log = process.argv[5] ?? 'bench-out/tune-dcl.jsonl';
  const cycles = pick(CYCLES, process.argv[6], ['init20-infill5-tgap5']);
  const schedules = pick(SCHEDULES, process.argv[7], ['current']);
  const done = new Map<string, { test: number; wall: number }>();
  if (existsSync(log)) for (const line of readFileSync(log, 'utf8').split('\n').filter(Boolean)) { const r = JSON.parse(line); done.set(r.id, r); }
  for (const dataset of datasets) {
    const { evaluator } = openNb201(dataset, resolveDataDir());
    for (const [schedule, config] of schedules) {
      const predictors = inProcessPredictors(evaluator.space, { config, log: (l) => process.stderr.write(l + '\n') });
      for (let seed = from; seed <= to; seed++)
        for (const [cycle, overrides] of cycles) {
          const id = `${dataset}/${cycle}/${schedule}/${seed}/${queries}`;
          if (done.has(id)) continue;
          const t0 = performance.now();
          const strategy = dclEnas({ space: evaluator.space, rng: Rng.seeded(seed), seed, budget: queries, predictors }, { ...DCL_ENAS_DEFAULTS, ...overrides });
          const outcome = await searchWithEvaluator({ evaluator, dataset, strategy, queries });
          const at = (q: number) => outcome.trajectory[Math.min(q, queries) - 1]?.bestTestAcc;
          const rec = { id, dataset, cycle, schedule, seed, queries, test: outcome.best.testAcc!, val: outcome.best.valAcc, test50: at(50), test100: at(100), wall: (performance.now() - t0) / 1000 };
          appendFileSync(log, JSON.stringify(rec) + '\n');
          done.set(id, rec);
          process.stderr.write(`${id}: test ${rec.test} val ${rec.val} (${rec.wall.toFixed(1)} s)\n`);
        }
    }
  }
  const lines = ['| cycle | schedule | ' + datasets.map((d) => `${d} test (median s)`).join(' | ') + ' |', '|---|---|' + datasets.map(() => '---:').join('|') + '|'];
  for (const [cycle] of cycles)
    for (const [schedule] of schedules) {
      const cells = datasets.map((d) => {
        const rs = [...done.entries()].filter(([id]) => id.startsWith(`${d}/${cycle}/${schedule}/`) && id.endsWith(`/${queries}`)).map(([, r]) => r);
        return `${mean(rs.map((r) => r.test)).toFixed(2)} (${medianOf(rs.map((r) => r.wall)).toFixed(1)} s, n=${rs.length})`;
      });
      lines.push(`| ${cycle} | ${schedule} | ${cells.join(' | ')} |`);
    }
  process.stdout.write(lines.join('\n') + '\n');
}

void main();

function medianOf(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : Number.NaN;
}
