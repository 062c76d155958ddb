import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { Rng, resolveDataDir } from '@dcl-enas/common';
import { openBenchmark } from '@dcl-enas/benchmarks';
import { createStrategy, runSearch, strategyNames } from '@dcl-enas/search';
import { curvesSpec, htmlPage, meanCurves, renderSvg, svgToPng } from '@dcl-enas/report';
import { integer, positiveInt } from '../options';
import { lazyInProcessPredictors } from '../predictors';
import { prepareSpace } from '../spaces';
import { progressBar } from '../progress';

interface SearchFlags {
  space: string;
  dataset: string;
  strategy: string;
  queries: number;
  seed: number;
  out?: string;
  json?: boolean;
}

export function registerSearch(program: Command): void {
  program
    .command('search')
    .description('run one architecture search in this process and report the selected architecture')
    .requiredOption('--space <space>', 'search space: nb201, nb101, ecg')
    .requiredOption('--dataset <dataset>', 'dataset: cifar10, cifar100, imagenet16-120 (nb201); cifar10 (nb101)')
    .addOption(new Option('--strategy <name>', `search strategy: ${strategyNames().join(', ')}`).default('rea'))
    .option('--queries <n>', 'query budget: architectures trained', positiveInt, 100)
    .option('--seed <s>', 'random seed', integer, 0)
    .option('--out <dir>', 'write result.json and trajectory.csv here')
    .option('--json', 'print exactly one JSON object on stdout')
    .action(async (flags: SearchFlags) => {
      const started = performance.now();
      await prepareSpace(flags.space);
      const bench = openBenchmark(flags.space, flags.dataset, resolveDataDir());
      const { evaluator } = bench;
      const strategy = createStrategy(flags.strategy, {
        space: evaluator.space,
        rng: Rng.seeded(flags.seed),
        seed: flags.seed,
        budget: flags.queries,
        predictors: lazyInProcessPredictors(evaluator.space),
      });
      const bar = progressBar(flags.queries, `${flags.strategy} ${flags.space}/${flags.dataset}`);
      const outcome = await runSearch({ evaluator, dataset: flags.dataset, strategy, queries: flags.queries, onQuery: () => bar.tick() });
      bar.stop();
      const result = {
        space: flags.space,
        dataset: flags.dataset,
        strategy: flags.strategy,
        seed: flags.seed,
        queries: flags.queries,
        best: { arch: evaluator.space.format(outcome.best.arch), key: outcome.best.key, valAcc: outcome.best.valAcc, testAcc: outcome.best.testAcc },
        trajectory: outcome.trajectory,
        simulatedGpuSeconds: outcome.simulatedGpuSeconds,
        wallSeconds: (performance.now() - started) / 1000,
      };
      if (flags.out) await writeSearchOutput(flags.out, result);
      if (flags.json) {
        process.stdout.write(JSON.stringify(result) + '\n');
        return;
      }
      const pct = (x: number | null) => (x === null ? 'not recorded' : `${x.toFixed(2)} %`);
      const ceiling = bench.ceiling?.testAccAtBestVal;
      const lines = [
        `${flags.space} ${flags.dataset} · strategy ${flags.strategy} · seed ${flags.seed} · ${flags.queries} architectures trained`,
        `selected    ${result.best.arch}`,
        `validation  ${pct(result.best.valAcc)}  (the search signal)`,
        `test        ${pct(result.best.testAcc)}  (reported only${ceiling != null ? `; the best this protocol allows is ${ceiling.toFixed(2)} %` : ''})`,
        `simulated GPU time ${result.simulatedGpuSeconds === null ? 'not recorded' : `${(result.simulatedGpuSeconds / 3600).toFixed(2)} h`} · wall ${result.wallSeconds.toFixed(2)} s`,
      ];
      if (flags.out) lines.push(`wrote result.json, trajectory.csv, trajectory.svg/.png and report.html to ${flags.out}`);
      process.stdout.write(lines.join('\n') + '\n');
    });
}

type SearchResult = {
  space: string;
  dataset: string;
  strategy: string;
  seed: number;
  queries: number;
  best: { arch: string; valAcc: number; testAcc: number | null };
  trajectory: readonly { query: number; bestValAcc: number; bestTestAcc: number | null }[];
  simulatedGpuSeconds: number | null;
  wallSeconds: number;
};

async function writeSearchOutput(dir: string, result: SearchResult): Promise<void> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'result.json'), JSON.stringify(result, null, 2) + '\n');
  const csv = ['query,best_val_acc,best_test_acc', ...result.trajectory.map((p) => `${p.query},${p.bestValAcc},${p.bestTestAcc ?? ''}`)];
  writeFileSync(join(dir, 'trajectory.csv'), csv.join('\n') + '\n');
  const points = meanCurves([
    { strategy: 'validation (search signal)', values: result.trajectory.map((p) => p.bestValAcc) },
    { strategy: 'test (reported only)', values: result.trajectory.map((p) => p.bestTestAcc) },
  ]);
  const svg = await renderSvg(curvesSpec(points, { title: `${result.space} ${result.dataset}, ${result.strategy}, seed ${result.seed}: the selected architecture`, yTitle: 'accuracy (%)', seriesTitle: 'best so far' }));
  writeFileSync(join(dir, 'trajectory.svg'), svg);
  writeFileSync(join(dir, 'trajectory.png'), svgToPng(svg));
  const html = htmlPage(
    `Search: ${result.space} ${result.dataset}, ${result.strategy}, seed ${result.seed}`,
    [
      {
        heading: 'Selected architecture',
        table: {
          columns: ['architecture', 'validation (%)', 'test (%)', 'queries', 'simulated GPU hours', 'wall seconds'],
          rows: [[result.best.arch, result.best.valAcc, result.best.testAcc, result.queries, result.simulatedGpuSeconds === null ? null : result.simulatedGpuSeconds / 3600, result.wallSeconds]],
        },
      },
      { heading: 'Best so far', svg },
    ],
  );
  writeFileSync(join(dir, 'report.html'), html);
}
