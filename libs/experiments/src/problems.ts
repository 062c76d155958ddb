import { UserError } from '@dcl-enas/common';
import { evaluateTrial, NB101_DATASETS, NB201_DATASETS, openNb101, openNb201, type OpenedBenchmark } from '@dcl-enas/benchmarks';
import type { EcgSettings, SpecSpace, TrialOutcome, TrialRequest } from '@dcl-enas/contracts';
import type { EvalTarget, LabelledSet } from '@dcl-enas/predictor';
import { archJson, type ArchJson } from '@dcl-enas/trials';
import { runCommandTrial, type CommandTrialContext } from './command-trials';
import { declaredSpace, ecgSpace, nb101Space, nb201Space, type SearchSpace, type SpaceDefinition } from '@dcl-enas/spaces';

/** Where an evaluator finds its data and the settings of the experiment it serves. */
export interface EvaluatorContext {
  readonly dataDir: string;
  /** The spec's `ecg` field (problems whose `settings` is 'ecg'). */
  readonly ecg?: EcgSettings;
}

/**
 * One search problem: its space, the datasets a spec may name, what the search maximises, and
 * how a trial is evaluated. The CLI, the orchestrator, the trainers and the bench all get these
 * from here (problemFor); nothing else tests a space's name.
 */
export interface Problem {
  /** The space as a spec names it: a built-in name, or a declared space's `name`. */
  readonly name: string;
  readonly space: SearchSpace<unknown>;
  /** The space's type (docs/spaces.md): the built-in spaces are instances of cell (nb201, ecg) and dag (nb101). */
  readonly spaceType: 'cell' | 'dag' | 'layers';
  /** Datasets a spec may name; null: any label (a declared space's data is the user's). */
  readonly datasets: readonly string[] | null;
  /** What a trial's valAcc is (the search signal every strategy maximises) and its testAcc (reported only). */
  readonly objective: { readonly signal: string; readonly reported: string; readonly goal: 'maximize' };
  /** How the problem's own evaluator trains a trial: a lookup in a benchmark table, real training, or 'none' (a declared space: only a trial command trains it). */
  readonly evaluation: 'table' | 'training' | 'none';
  /** The spec field that carries this problem's own settings, if any. */
  readonly settings: 'ecg' | null;
  /** Predictor-guided strategies' nInit for this problem (StrategyContext.nInit); absent: the strategy's default. */
  readonly nInit?: number;
  /** The evaluator of a dataset (tables and beat sets load once per process and settings). */
  open(dataset: string, context: EvaluatorContext): Promise<OpenedBenchmark>;
  /**
   * Every architecture with a measured target, for `enas predictor-eval` (tables only); `target`
   * as the problem understands it (nb201: test or val), absent: its default. Loads TensorFlow.js.
   */
  labelled?(dataDir: string, dataset: string, target?: EvalTarget): Promise<LabelledSet<unknown>>;
}

type Labelled = NonNullable<Problem['labelled']>;

function tableProblem(
  name: string,
  spaceType: Problem['spaceType'],
  space: SearchSpace<unknown>,
  datasets: readonly string[],
  objective: Problem['objective'],
  openTable: (dataset: string, dataDir: string) => OpenedBenchmark,
  labelled: Labelled,
): Problem {
  const opened = new Map<string, OpenedBenchmark>();
  return {
    name,
    space,
    spaceType,
    datasets,
    objective,
    evaluation: 'table',
    settings: null,
    async open(dataset, { dataDir }) {
      checkDataset(this, dataset);
      const id = `${dataDir}\n${dataset}`;
      let bench = opened.get(id);
      if (!bench) opened.set(id, (bench = openTable(dataset, dataDir)));
      return bench;
    },
    labelled,
  };
}

// predictor-eval's labelled sets live with the predictor, which brings TensorFlow.js: loaded only when asked for
const nb201Labelled: Labelled = async (dataDir, dataset, target) => (await import('@dcl-enas/predictor')).nb201Labelled(dataDir, dataset, target ?? 'test') as LabelledSet<unknown>;
const nb101Labelled: Labelled = async (dataDir, dataset, target) => (await import('@dcl-enas/predictor')).nb101SubsetLabelled(dataDir, dataset, target ?? 'val') as LabelledSet<unknown>;

/** Evaluators (loaded beat set, trained candidates) kept per distinct ECG settings. */
const KEEP_ECG_EVALUATORS = 2;

/**
 * MIT-BIH heartbeat classification on the ECG-1D cell space, trained for real: hold-out macro-F1
 * as the signal, DS2 macro-F1 reported (scored only for candidates that beat the best so far:
 * the request's testAbove). The beat set and TensorFlow.js load on the first open, so the
 * orchestrator, predictor and encoder, which need only the space, never load them.
 */
function ecgProblem(): Problem {
  const evaluators = new Map<string, Promise<OpenedBenchmark>>();
  return {
    name: 'ecg',
    space: ecgSpace as SearchSpace<unknown>,
    spaceType: 'cell',
    datasets: ['mitdb'],
    objective: { signal: 'hold-out macro-F1 over N, S, V, F', reported: 'DS2 macro-F1 over the five classes', goal: 'maximize' },
    evaluation: 'training',
    settings: 'ecg',
    nInit: 10,
    async open(dataset, { dataDir, ecg }) {
      checkDataset(this, dataset);
      const { ecgRunOptions, prepareEcgEvaluators } = await import('@dcl-enas/ecg-model');
      const options = { dataDir, ...ecgRunOptions(ecg) };
      const id = JSON.stringify(options);
      let opened = evaluators.get(id);
      if (!opened) {
        opened = prepareEcgEvaluators(options).then((make) => ({ evaluator: make(), ceiling: null }));
        opened.catch(() => evaluators.delete(id));
        evaluators.set(id, opened);
        while (evaluators.size > KEEP_ECG_EVALUATORS) evaluators.delete(evaluators.keys().next().value!);
      }
      return opened;
    },
  };
}

/** A space the user declared (docs/spaces.md): searchable by every strategy; its trials are trained by the user's code. */
function declaredProblem(definition: SpaceDefinition): Problem {
  return {
    name: definition.name,
    space: declaredSpace(definition),
    spaceType: definition.type,
    datasets: null,
    objective: { signal: "the trial's reported metric", reported: "the trial's test metric, if any", goal: 'maximize' },
    evaluation: 'none',
    settings: null,
    async open() {
      throw new UserError(`space ${definition.name}: a declared space has no evaluator of its own: its trials are trained by trial.command (docs/trials.md)`);
    },
  };
}

const BUILT_IN: ReadonlyMap<string, Problem> = new Map(
  [
    tableProblem('nb201', 'cell', nb201Space as SearchSpace<unknown>, NB201_DATASETS, { signal: '12-epoch validation accuracy', reported: '200-epoch test accuracy', goal: 'maximize' }, openNb201, nb201Labelled),
    tableProblem('nb101', 'dag', nb101Space as SearchSpace<unknown>, NB101_DATASETS, { signal: '108-epoch validation accuracy', reported: '108-epoch test accuracy', goal: 'maximize' }, openNb101, nb101Labelled),
    ecgProblem(),
  ].map((p) => [p.name, p]),
);

export function builtInProblemNames(): string[] {
  return [...BUILT_IN.keys()];
}

/** The problem of a spec's `space`: a built-in name or a declared space (already checked against the schema). */
export function problemFor(space: SpecSpace): Problem {
  if (typeof space !== 'string') return declaredProblem(space);
  const problem = BUILT_IN.get(space);
  if (!problem) throw new UserError(`unknown space "${space}": use one of ${builtInProblemNames().join(', ')}, or declare one (docs/spaces.md)`);
  return problem;
}

function checkDataset(problem: Problem, dataset: string): void {
  if (problem.datasets && !problem.datasets.includes(dataset)) throw new UserError(`unknown dataset "${dataset}" for space ${problem.name}: use one of ${problem.datasets.join(', ')}`);
}

/** What a runner of trials brings: the data, and where trial commands run (docs/trials.md). */
export interface TrialEnvironment {
  readonly dataDir: string;
  readonly commands?: CommandTrialContext;
}

/**
 * Trains one trial from its request alone: what every trainer and the embedded loop run. A
 * request with a trial command runs the user's command (runCommandTrial); otherwise the
 * problem's evaluator trains it (a table lookup, ECG training).
 */
export async function evaluateRequest(trial: TrialRequest, env: TrialEnvironment): Promise<TrialOutcome> {
  const problem = problemFor(trial.space);
  if (trial.trial?.command) {
    if (!env.commands) throw new UserError(`trial ${trial.index}: this runner has no place to run trial commands`);
    return runCommandTrial(trial, problem.space, env.commands);
  }
  const { evaluator } = await problem.open(trial.dataset, { dataDir: env.dataDir, ...(trial.ecg ? { ecg: trial.ecg } : {}) });
  return evaluateTrial(evaluator, trial);
}

/** arch.json for a trial request (trial protocol v1), in its problem's space: what a trial Job's pod is given. */
export function trialArchJson(trial: TrialRequest): ArchJson {
  return archJson(problemFor(trial.space).space, { trialId: String(trial.index), experimentId: trial.experimentId, arch: trial.arch, params: trial.trial?.params });
}

/** The labelled set `enas predictor-eval` ranks for a space; one UserError where the problem has none. */
export async function labelledSetFor(space: string, dataDir: string, dataset: string, target?: EvalTarget): Promise<LabelledSet<unknown>> {
  const problem = problemFor(space);
  if (!problem.labelled) throw new UserError(`unknown space "${space}" for predictor-eval: use one with a measured table (nb201, nb101)`);
  return problem.labelled(dataDir, dataset, target);
}

/** The space of a built-in problem by name (predictor sessions and encoder requests name their space). */
export function spaceByName(name: string): SearchSpace<unknown> {
  return problemFor(name).space;
}
