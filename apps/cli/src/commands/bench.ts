import { join } from 'node:path';
import { Command } from 'commander';
import { resolveDataDir, UserError, writeFileAtomicSync } from '@dcl-enas/common';
import { evaluateRequest } from '@dcl-enas/experiments';
import { benchCsv, benchMarkdown, BenchStore, checkQueryBudget, queriesToCeilingText, runBench, runId, strategyNames, summarizeBench, type BenchRunRecord } from '@dcl-enas/search';
import { curvesSpec, htmlPage, meanCurves, renderSvg, svgToPng } from '@dcl-enas/report';
import { nameList, queryBudgetList, seedRange } from '../options';
import { prepareOutDir } from '../io';
import { lazyInProcessPredictors } from '../predictors';
import { openProblem } from '../spaces';
import { progressBar } from '../progress';

/** Every run's best-so-far curves stay in memory (and go to runs.jsonl); a larger plan would run out of memory part way. */
const MAX_CURVE_POINTS = 10_000_000;

interface BenchFlags {
  space: string;
  dataset: string;
  strategies: string[];
  queries: number[];
  seeds: number[];
  out?: string;
  json?: boolean;
}

export function registerBench(program: Command): void {
  program
    .command('bench')
    .description('compare strategies x budgets x seeds side by side; resumable with --out')
    .requiredOption('--space <space>', 'search space: nb201, nb101, ecg')
    .requiredOption('--dataset <dataset>', 'dataset of that space')
    .requiredOption('--strategies <a,b,c>', `strategies to compare: ${strategyNames().join(', ')}`, nameList)
    .requiredOption('--queries <n,m,...>', 'query budgets', queryBudgetList)
    .option('--seeds <a..b>', 'seeds, inclusive range', seedRange, seedRange('0..24'))
    .option('--out <dir>', 'write runs.jsonl (resumable), bench.md and bench.csv here')
    .option('--json', 'print exactly one JSON object on stdout')
    .action(async (flags: BenchFlags) => {
      const known = strategyNames();
      const unknown = flags.strategies.filter((s) => !known.includes(s));
      if (unknown.length > 0) throw new UserError(`unknown strategy "${unknown[0]}": use one of ${known.join(', ')}`);
      const points = flags.strategies.length * flags.seeds.length * flags.queries.reduce((sum, q) => sum + q, 0);
      if (points > MAX_CURVE_POINTS) {
        throw new UserError(`this bench would keep ${points} best-so-far points (strategies x seeds x the sum of the budgets), more than the ${MAX_CURVE_POINTS} that fit in memory: use fewer seeds, budgets or strategies`);
      }
      const dataDir = resolveDataDir();
      const { problem, opened: bench } = await openProblem(flags.space, flags.dataset, dataDir);
      checkQueryBudget(bench.evaluator.space, Math.max(...flags.queries), '--queries');
      if (flags.out) prepareOutDir(flags.out);
      const store = flags.out ? new BenchStore(flags.out, { space: flags.space, dataset: flags.dataset }) : null;
      const wanted = new Set(flags.seeds.flatMap((seed) => flags.queries.flatMap((queries) => flags.strategies.map((strategy) => runId({ strategy, queries, seed })))));
      const records: BenchRunRecord[] = (store?.load() ?? []).filter((r) => wanted.has(runId(r)));
      const done = new Set(records.map(runId));
      const bar = progressBar(wanted.size, `bench ${flags.space}/${flags.dataset}`);
      for (let i = 0; i < done.size; i++) bar.tick();
      await runBench({
        space: bench.evaluator.space,
        spaceName: flags.space,
        dataset: flags.dataset,
        evaluate: (trial) => evaluateRequest(trial, { dataDir }),
        nInit: problem.nInit,
        plan: { strategies: flags.strategies, budgets: flags.queries, seeds: flags.seeds },
        predictors: lazyInProcessPredictors(bench.evaluator.space),
        done,
        onRecord: (record) => {
          records.push(record);
          store?.append(record);
        },
        onProgress: () => bar.tick(),
      });
      bar.stop();
      const summary = summarizeBench(records, { space: flags.space, dataset: flags.dataset, seeds: flags.seeds, bestValAcc: bench.ceiling?.bestValAcc ?? null });
      const commandLine = `npm run -s enas -- bench ${rebuildArgs(flags)}`;
      const markdown = benchMarkdown(summary, commandLine);
      if (flags.out) {
        writeFileAtomicSync(join(flags.out, 'bench.md'), markdown);
        writeFileAtomicSync(join(flags.out, 'bench.csv'), benchCsv(summary));
        const svg = await writeCurves(flags.out, records, flags, bench.ceiling?.testAccAtBestVal ?? null);
        writeFileAtomicSync(join(flags.out, 'report.html'), benchHtml(summary, svg, commandLine));
      }
      process.stdout.write(flags.json ? JSON.stringify(summary) + '\n' : markdown);
    });
}

function rebuildArgs(f: BenchFlags): string {
  const seeds = `${f.seeds[0]}..${f.seeds[f.seeds.length - 1]}`;
  return `--space ${f.space} --dataset ${f.dataset} --strategies ${f.strategies.join(',')} --queries ${f.queries.join(',')} --seeds ${seeds}${f.out ? ` --out ${f.out}` : ''}`;
}

/** Best-so-far test accuracy vs queries at the largest budget, mean with a band, as SVG and PNG. */
async function writeCurves(dir: string, records: readonly BenchRunRecord[], flags: BenchFlags, ceiling: number | null): Promise<string> {
  const largest = Math.max(...flags.queries);
  const runs = records.filter((r) => r.queries === largest).map((r) => ({ strategy: r.strategy, values: r.testTrajectory }));
  const svg = await renderSvg(
    curvesSpec(meanCurves(runs), {
      title: `${flags.space} ${flags.dataset}: test accuracy of the selected architecture (mean of ${flags.seeds.length} seeds, band = ±1 s.e.)`,
      yTitle: 'test accuracy (%)',
      ceiling,
    }),
  );
  writeFileAtomicSync(join(dir, 'curves.svg'), svg);
  writeFileAtomicSync(join(dir, 'curves.png'), svgToPng(svg));
  return svg;
}

function benchHtml(summary: ReturnType<typeof summarizeBench>, svg: string, command: string): string {
  return htmlPage(
    `Bench: ${summary.space} ${summary.dataset}`,
    [
      {
        heading: 'Selected architecture, by strategy and budget',
        paragraphs: ['Selected = best validation accuracy among the queries; test accuracy is reported only, never seen by a strategy.'],
        table: {
          columns: ['strategy', 'queries', 'runs', 'test mean', 'test std', 'val mean', 'val std', 'ceiling hits', 'median queries to ceiling'],
          rows: summary.rows.map((r) => [r.strategy, r.queries, r.runs, r.testMean, r.testStd, r.valMean, r.valStd, r.ceilingHits, queriesToCeilingText(r)]),
        },
      },
      { heading: 'Best-so-far test accuracy', svg },
    ],
    `Command: ${command}`,
  );
}
