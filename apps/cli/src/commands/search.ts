import { join } from 'node:path';
import { Command, Option } from 'commander';
import { Rng, resolveDataDir, UserError, writeFileAtomicSync } from '@dcl-enas/common';
import { checkQueryBudget, createStrategy, openFileJournal, runEmbedded, strategyNames } from '@dcl-enas/search';
import { earlyStoppingFor, evaluateRequest, validateSpecNames, type Problem } from '@dcl-enas/experiments';
import { curvesSpec, htmlPage, meanCurves, renderSvg, svgToPng } from '@dcl-enas/report';
import { DashboardHub, cellSvg, curveSvg, hitRateSvg, recordPredictions, type ExperimentView } from '@dcl-enas/dashboard';
import { ContractError, LIMITS, parseExperimentSpec, specSpaceName, type EcgSettings, type ExperimentSpec, type TrialOutcome, type TrialRequest } from '@dcl-enas/contracts';
import type { SearchSpace } from '@dcl-enas/spaces';
import { startDashboardServer } from '../dashboard-server';
import { paceMs, port, queryBudget, seed } from '../options';
import { prepareOutDir, readInputFile } from '../io';
import { lazyInProcessPredictors } from '../predictors';
import { ecgSettingsOption, openProblem } from '../spaces';
import { progressBar } from '../progress';

interface SearchFlags {
  space?: string;
  dataset?: string;
  spec?: string;
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
    .option('--space <space>', 'search space: nb201, nb101, ecg (or give --spec)')
    .option('--dataset <dataset>', 'dataset: cifar10, cifar100, imagenet16-120 (nb201); cifar10 (nb101); mitdb (ecg)')
    .addOption(new Option('--strategy <name>', `search strategy: ${strategyNames().join(', ')}`).default('rea'))
    .option('--queries <n>', 'query budget: architectures trained', queryBudget, 100)
    .option('--seed <s>', 'random seed', seed, 0)
    .option('--spec <file>', 'an experiment spec (YAML/JSON) instead of --space/--dataset/...: a built-in or declared space, a trial command (docs/trials.md); resumable in --out')
    .option('--out <dir>', 'write result.json and trajectory.csv here; with --spec also the journal and the trial directories (default: a directory named after the experiment)')
    .option('--json', 'print exactly one JSON object on stdout')
    .option('--ui', 'serve the live dashboard while searching (URL on stderr), and after it until Ctrl-C')
    .option('--ui-port <n>', 'port of the dashboard (0 picks a free one)', port, 8090)
    .option('--pace <ms>', 'pause before each query, to watch a fast (tabular) search live', paceMs, 0)
    .option('--ecg <settings>', 'space ecg: records, hold-out, folds and per-candidate training budget, as JSON or a YAML/JSON file (the spec\'s `ecg` field; docs/ecg-space.md)', ecgSettingsOption)
    .action(async (flags: SearchFlags, command: Command) => {
      const started = performance.now();
      const dataDir = resolveDataDir();
      const prepared = flags.spec ? await fromSpecFile(flags, command, dataDir) : await fromFlags(flags, dataDir);
      const { spec, problem, space, id } = prepared;
      const out = prepared.outDir ?? flags.out;
      if (out) prepareOutDir(out);
      const journal = prepared.outDir ? openFileJournal(prepared.outDir, spec) : undefined;
      const predictions = recordPredictions(lazyInProcessPredictors(space), space);
      const hub = new DashboardHub({ stuckAfterSeconds: 600, spaceOf: () => space });
      const strategy = createStrategy(spec.strategy, { space, rng: Rng.seeded(spec.seed), seed: spec.seed, budget: spec.queries, predictors: predictions.provider, nInit: problem.nInit });
      const ui = flags.ui ? await startDashboardServer(hub, flags.uiPort) : null;
      const ticker = ui ? setInterval(() => hub.tick(), 1000) : null;
      if (ui) process.stderr.write(`dashboard: ${ui.url}#${encodeURIComponent(id)}\n`);
      const bar = progressBar(spec.queries, `${spec.strategy} ${prepared.label}/${spec.dataset}`);
      let run: Awaited<ReturnType<typeof runEmbedded>>['run'];
      let history: Awaited<ReturnType<typeof runEmbedded>>['history'];
      let end: Awaited<ReturnType<typeof runEmbedded>>['end'];
      // Ctrl-C or a TERM mid-search: exit at once, so that the running trials' process groups are
      // killed (trial protocol) and none of them is recorded; the same command resumes from the journal.
      const interrupt = (code: number) => () => process.exit(code);
      const onInt = interrupt(130);
      const onTerm = interrupt(143);
      if (journal) process.once('SIGINT', onInt).once('SIGTERM', onTerm);
      try {
        ({ run, history, end } = await runEmbedded({
          id,
          spec,
          space,
          strategy,
          evaluate: prepared.evaluate,
          parallel: prepared.parallel,
          journal,
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
        process.off('SIGINT', onInt).off('SIGTERM', onTerm);
      }
      if (end.status !== 'completed') throw new UserError(`the experiment ${end.status}: ${end.reason}`, 1);
      if (!run.best) throw new UserError(`every trial failed (${run.failedTrials.length}): the first, trial ${run.failedTrials[0]?.index}: ${run.failedTrials[0]?.reason}`);
      const metrics = history.find((h) => h.key === run.best!.key)?.metrics;
      const result = {
        space: prepared.label,
        dataset: spec.dataset,
        strategy: spec.strategy,
        seed: spec.seed,
        queries: spec.queries,
        best: metrics ? { ...run.best, metrics } : run.best,
        trajectory: run.trajectory,
        simulatedGpuSeconds: run.simulatedGpuSeconds,
        wallSeconds: (performance.now() - started) / 1000,
        ...(flags.spec ? { failedTrials: run.failedTrials } : {}),
      };
      if (out) await writeSearchOutput(out, result, hub.view(id)!, space);
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
      const ceiling = prepared.ceiling;
      const lines = [
        `${prepared.label} ${spec.dataset} · strategy ${spec.strategy} · seed ${spec.seed} · ${spec.queries} architectures trained${run.failedTrials.length > 0 ? ` (${run.failedTrials.length} failed)` : ''}`,
        `selected    ${result.best.arch}`,
        `validation  ${pct(result.best.valAcc)}  (the search signal: ${problem.objective.signal})`,
        `test        ${pct(result.best.testAcc)}  (reported only: ${problem.objective.reported}${ceiling != null ? `; the best this protocol allows is ${ceiling.toFixed(2)} %` : ''})`,
        `simulated GPU time ${result.simulatedGpuSeconds === null ? 'not recorded' : `${(result.simulatedGpuSeconds / 3600).toFixed(2)} h`} · wall ${result.wallSeconds.toFixed(2)} s`,
      ];
      if (out) lines.push(`wrote result.json, trajectory.csv, trajectory/trials/cell(/ranking).svg and .png, and report.html to ${out}`);
      process.stdout.write(lines.join('\n') + '\n');
    });
}

/** One search, however it was asked for: from flags (a built-in space) or from a spec file. */
interface PreparedSearch {
  readonly spec: ExperimentSpec;
  readonly problem: Problem;
  readonly space: SearchSpace<unknown>;
  readonly id: string;
  /** The space as results name it. */
  readonly label: string;
  readonly evaluate: (trial: TrialRequest, slot: number) => Promise<TrialOutcome>;
  readonly parallel: number;
  /** Where the journal goes (spec runs only). */
  readonly outDir?: string;
  /** The best test accuracy this protocol allows, where known. */
  readonly ceiling: number | null;
}

async function fromFlags(flags: SearchFlags, dataDir: string): Promise<PreparedSearch> {
  if (!flags.space || !flags.dataset) throw new UserError(`search needs --space and --dataset, or --spec FILE (run "enas search --help" for usage)`);
  const { problem, opened } = await openProblem(flags.space, flags.dataset, dataDir, flags.ecg);
  // the evaluator's space: for a table that holds only part of a space (NB101), the cells it holds
  const space = opened.evaluator.space;
  checkQueryBudget(space, flags.queries, '--queries');
  const spec: ExperimentSpec = { apiVersion: 'enas/v1', kind: 'Experiment', space: flags.space, dataset: flags.dataset, strategy: flags.strategy, seed: flags.seed, queries: flags.queries, batchSize: 1, ...(flags.ecg ? { ecg: flags.ecg } : {}) };
  return {
    spec,
    problem,
    space,
    id: `${flags.strategy}-${flags.space}-${flags.dataset}-seed${flags.seed}`,
    label: flags.space,
    evaluate: (trial) => evaluateRequest(trial, { dataDir }),
    parallel: 1,
    ceiling: opened.ceiling?.testAccAtBestVal ?? null,
  };
}

/** Flags a spec sets itself: given beside --spec, they are refused rather than silently ignored. */
const SPEC_FIELDS = ['space', 'dataset', 'strategy', 'queries', 'seed', 'ecg'] as const;

async function fromSpecFile(flags: SearchFlags, command: Command, dataDir: string): Promise<PreparedSearch> {
  const given = SPEC_FIELDS.filter((f) => command.getOptionValueSource(f) === 'cli');
  if (given.length > 0) throw new UserError(`--spec: --${given[0]} is set by the spec; remove --${given[0]} or edit the spec`);
  const file = flags.spec!;
  let parsed: ExperimentSpec;
  try {
    parsed = parseExperimentSpec(readInputFile(file, '--spec', LIMITS.specBytes, 'give a YAML/JSON experiment spec (docs/trials.md)'), file);
  } catch (e) {
    if (e instanceof ContractError) throw new UserError(e.message);
    throw e;
  }
  const problem = validateSpecNames(parsed);
  const parallel = Math.min(parsed.trial?.parallel ?? 1, parsed.trial?.gpus?.length ?? Infinity);
  // trials run `parallel` at once: the strategy is asked for that many together
  const spec: ExperimentSpec = { ...parsed, batchSize: Math.max(parsed.batchSize, parallel) };
  const label = specSpaceName(spec.space);
  const outDir = flags.out ?? spec.name ?? `${spec.strategy}-${label}-${spec.dataset}-seed${spec.seed}`;
  const commands = parsed.trial?.command !== undefined;
  let space = problem.space;
  let ceiling: number | null = null;
  if (!commands) {
    const opened = await problem.open(spec.dataset, { dataDir, ...(spec.ecg ? { ecg: spec.ecg } : {}) });
    space = opened.evaluator.space;
    ceiling = opened.ceiling?.testAccAtBestVal ?? null;
  }
  const gpus = parsed.trial?.gpus;
  const trialRoot = join(outDir, 'trials');
  const stopping = earlyStoppingFor(spec);
  return {
    spec,
    problem,
    space,
    id: spec.name ?? `${spec.strategy}-${label}-${spec.dataset}-seed${spec.seed}`,
    label,
    evaluate: (trial, slot) => evaluateRequest(trial, { dataDir, commands: { trialRoot, ...stopping, ...(gpus ? { gpu: String(gpus[slot % gpus.length]) } : {}) } }),
    parallel,
    outDir,
    ceiling,
  };
}

const pctOf = (x: number | null | undefined): string => (x === null || x === undefined ? 'n/a' : `${(100 * x).toFixed(0)} %`);

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
  if (view.cycles.length > 0) figures['ranking'] = hitRateSvg(view.cycles, { width: 520, height: 240, title: "Predictor ranking quality per cycle: picks beating the random trials' median" });
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
      ...(figures['ranking']
        ? [
            {
              heading: 'Predictor ranking quality per cycle',
              paragraphs: [
                `Hit rate: the share of each fit's picks whose validation accuracy beats the median of the random initial trials (chance 50 %; ties count half); over all picks: ${pctOf(view.ranking?.hitRate)}. Beat-best rate: the share beating the best random trial (chance ${pctOf(view.ranking?.chanceBeatBest)}): ${pctOf(view.ranking?.beatBestRate)}. Kendall tau within each batch of 5 is kept for reference; it is mostly noise (docs/results/dashboard-tau.md).`,
              ],
              table: {
                columns: ['cycle', 'trials', 'hit rate', 'hit rate so far', 'beat-best rate', 'tau in batch', 'best validation (%)'],
                rows: view.cycles.map((c) => [c.cycle, c.observed, c.hitRate, c.hitRateSoFar, c.beatBestRate, c.tau === null ? null : Number(c.tau.toFixed(3)), c.bestValAcc]),
              },
              svg: figures['ranking'],
            },
          ]
        : []),
    ],
  );
  writeFileAtomicSync(join(dir, 'report.html'), html);
}
