import { join } from 'node:path';
import { Command, Option } from 'commander';
import { Rng, resolveDataDir, writeFileAtomicSync } from '@dcl-enas/common';
import { checkQueryBudget, createStrategy, runEmbedded, strategyNames } from '@dcl-enas/search';
import { evaluateRequest } from '@dcl-enas/experiments';
import { curvesSpec, htmlPage, meanCurves, renderSvg, svgToPng } from '@dcl-enas/report';
import { DashboardHub, cellSvg, curveSvg, recordPredictions, tauSvg, type ExperimentView } from '@dcl-enas/dashboard';
import type { EcgSettings, ExperimentSpec } from '@dcl-enas/contracts';
import type { SearchSpace } from '@dcl-enas/spaces';
import { startDashboardServer } from '../dashboard-server';
import { paceMs, port, queryBudget, seed } from '../options';
import { prepareOutDir } from '../io';
import { lazyInProcessPredictors } from '../predictors';
import { ecgSettingsOption, openProblem } from '../spaces';
import { progressBar } from '../progress';

interface SearchFlags {
  space: string;
  dataset: string;
  strategy: string;
  queries: number;
  seed: number;
  out?: string;
  json?: boolean;
  ui?: boolean;
  uiPort: number;
  pace: number;
  ecg?: EcgSettings;
}

export function registerSearch(program: Command): void {
  program
    .command('search')
    .description('run one architecture search in this process and report the selected architecture')
    .requiredOption('--space <space>', 'search space: nb201, nb101, ecg')
    .requiredOption('--dataset <dataset>', 'dataset: cifar10, cifar100, imagenet16-120 (nb201); cifar10 (nb101)')
    .addOption(new Option('--strategy <name>', `search strategy: ${strategyNames().join(', ')}`).default('rea'))
    .option('--queries <n>', 'query budget: architectures trained', queryBudget, 100)
    .option('--seed <s>', 'random seed', seed, 0)
    .option('--out <dir>', 'write result.json and trajectory.csv here')
    .option('--json', 'print exactly one JSON object on stdout')
    .option('--ui', 'serve the live dashboard while searching (URL on stderr), and after it until Ctrl-C')
    .option('--ui-port <n>', 'port of the dashboard (0 picks a free one)', port, 8090)
    .option('--pace <ms>', 'pause before each query, to watch a fast (tabular) search live', paceMs, 0)
    .option('--ecg <settings>', 'space ecg: records, hold-out, folds and per-candidate training budget, as JSON or a YAML/JSON file (the spec\'s `ecg` field; docs/ecg-space.md)', ecgSettingsOption)
    .action(async (flags: SearchFlags) => {
      const started = performance.now();
      const dataDir = resolveDataDir();
      const { problem, opened } = await openProblem(flags.space, flags.dataset, dataDir, flags.ecg);
      // the evaluator's space: for a table that holds only part of a space (NB101), the cells it holds
      const space = opened.evaluator.space;
      checkQueryBudget(space, flags.queries, '--queries');
      if (flags.out) prepareOutDir(flags.out);
      const predictions = recordPredictions(lazyInProcessPredictors(space), space);
      const hub = new DashboardHub({ stuckAfterSeconds: 600, spaceOf: () => space });
      const id = `${flags.strategy}-${flags.space}-${flags.dataset}-seed${flags.seed}`;
      const spec: ExperimentSpec = { apiVersion: 'enas/v1', kind: 'Experiment', space: flags.space, dataset: flags.dataset, strategy: flags.strategy, seed: flags.seed, queries: flags.queries, batchSize: 1, ...(flags.ecg ? { ecg: flags.ecg } : {}) };
      const strategy = createStrategy(flags.strategy, { space, rng: Rng.seeded(flags.seed), seed: flags.seed, budget: flags.queries, predictors: predictions.provider, nInit: problem.nInit });
      const ui = flags.ui ? await startDashboardServer(hub, flags.uiPort) : null;
      const ticker = ui ? setInterval(() => hub.tick(), 1000) : null;
      if (ui) process.stderr.write(`dashboard: ${ui.url}#${encodeURIComponent(id)}\n`);
      const bar = progressBar(flags.queries, `${flags.strategy} ${flags.space}/${flags.dataset}`);
      let run: Awaited<ReturnType<typeof runEmbedded>>['run'];
      try {
        ({ run } = await runEmbedded({
          id,
          spec,
          space,
          strategy,
          evaluate: (trial) => evaluateRequest(trial, dataDir),
          onEvent: (event) => hub.apply(id, event),
          onQuery: () => bar.tick(),
          predictions: predictions.prediction,
          ...(flags.ui || flags.pace > 0 ? { paceMs: flags.pace } : {}),
        }));
      } catch (e) {
        await ui?.close();
        throw e;
      } finally {
        bar.stop();
      }
      const result = {
        space: flags.space,
        dataset: flags.dataset,
        strategy: flags.strategy,
        seed: flags.seed,
        queries: flags.queries,
        best: run.best!,
        trajectory: run.trajectory,
        simulatedGpuSeconds: run.simulatedGpuSeconds,
        wallSeconds: (performance.now() - started) / 1000,
      };
      if (flags.out) await writeSearchOutput(flags.out, result, hub.view(id)!, space);
      if (ui) {
        process.stderr.write(`search finished; the dashboard stays at ${ui.url} until Ctrl-C\n`);
        process.once('SIGINT', () => void ui.close().then(() => process.exit(0)));
        process.once('SIGTERM', () => void ui.close().then(() => process.exit(0)));
        void ticker;
      }
      if (flags.json) {
        process.stdout.write(JSON.stringify(result) + '\n');
        return;
      }
      const pct = (x: number | null) => (x === null ? 'not recorded' : `${x.toFixed(2)} %`);
      const ceiling = opened.ceiling?.testAccAtBestVal;
      const lines = [
        `${flags.space} ${flags.dataset} · strategy ${flags.strategy} · seed ${flags.seed} · ${flags.queries} architectures trained`,
        `selected    ${result.best.arch}`,
        `validation  ${pct(result.best.valAcc)}  (the search signal: ${problem.objective.signal})`,
        `test        ${pct(result.best.testAcc)}  (reported only: ${problem.objective.reported}${ceiling != null ? `; the best this protocol allows is ${ceiling.toFixed(2)} %` : ''})`,
        `simulated GPU time ${result.simulatedGpuSeconds === null ? 'not recorded' : `${(result.simulatedGpuSeconds / 3600).toFixed(2)} h`} · wall ${result.wallSeconds.toFixed(2)} s`,
      ];
      if (flags.out) lines.push(`wrote result.json, trajectory.csv, trajectory/trials/cell(/tau).svg and .png, and report.html to ${flags.out}`);
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

async function writeSearchOutput(dir: string, result: SearchResult, view: ExperimentView, space: SearchSpace<unknown>): Promise<void> {
  writeFileAtomicSync(join(dir, 'result.json'), JSON.stringify(result, null, 2) + '\n');
  const csv = ['query,best_val_acc,best_test_acc', ...result.trajectory.map((p) => `${p.query},${p.bestValAcc},${p.bestTestAcc ?? ''}`)];
  writeFileAtomicSync(join(dir, 'trajectory.csv'), csv.join('\n') + '\n');
  const points = meanCurves([
    { strategy: 'validation (search signal)', values: result.trajectory.map((p) => p.bestValAcc) },
    { strategy: 'test (reported only)', values: result.trajectory.map((p) => p.bestTestAcc) },
  ]);
  const svg = await renderSvg(curvesSpec(points, { title: `${result.space} ${result.dataset}, ${result.strategy}, seed ${result.seed}: the selected architecture`, yTitle: 'accuracy (%)', seriesTitle: 'best so far' }));
  writeFileAtomicSync(join(dir, 'trajectory.svg'), svg);
  writeFileAtomicSync(join(dir, 'trajectory.png'), svgToPng(svg));
  // The dashboard's drawings, for papers: every trial with the best so far, the cell, the predictor's tau per cycle.
  const figures: Record<string, string> = {
    trials: curveSvg(view.curve, view.scatter, { budget: result.queries, width: 720, height: 360, title: `${result.space} ${result.dataset}, ${result.strategy}, seed ${result.seed}: every trial and the best so far` }),
    cell: cellSvg(result.best.arch, space, { title: 'Selected cell' }),
  };
  if (view.cycles.length > 0) figures['tau'] = tauSvg(view.cycles, { width: 520, height: 240, title: 'Predictor ranking quality per cycle' });
  for (const [name, figure] of Object.entries(figures)) {
    writeFileAtomicSync(join(dir, `${name}.svg`), figure);
    writeFileAtomicSync(join(dir, `${name}.png`), svgToPng(figure, 1280));
  }
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
      { heading: 'Every trial', paragraphs: ['Dots: each trained architecture\'s validation accuracy; solid: the best so far (the search signal); dashed: its test accuracy (reported only).'], svg: figures['trials'] },
      { heading: 'Selected cell', svg: figures['cell'] },
      ...(figures['tau']
        ? [
            {
              heading: 'Predictor ranking quality per cycle',
              paragraphs: [`Kendall tau between the predictor's scores and the observed validation accuracies of the batch each fit chose; over all predicted trials: ${view.tauOverall === null ? 'n/a' : view.tauOverall.toFixed(3)}.`],
              table: { columns: ['cycle', 'trials', 'tau', 'best validation (%)'], rows: view.cycles.map((c) => [c.cycle, c.observed, c.tau === null ? null : Number(c.tau.toFixed(3)), c.bestValAcc]) },
              svg: figures['tau'],
            },
          ]
        : []),
    ],
  );
  writeFileAtomicSync(join(dir, 'report.html'), html);
}
