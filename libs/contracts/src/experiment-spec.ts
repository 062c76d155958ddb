import { z } from 'zod';
import { parse as parseYaml } from 'yaml';
import { ContractError, decode } from './decode';
import { SpaceDefinition } from '@dcl-enas/spaces';
import { LIMITS, shortName } from './limits';

const NAME = /^[a-z0-9]([a-z0-9-]{0,46}[a-z0-9])?$/;

const positive = (max: number) => z.number().int().min(1).max(max);

/**
 * Data and per-candidate training budget of space `ecg` (docs/ecg-space.md): the same settings
 * in `enas search --space ecg --ecg ...` and in a spec's `ecg` field. Omitted fields keep the
 * published protocol (all 44 non-paced records, 4 hold-out records, one fold, 5 epochs of 500 beats
 * of every class).
 */
export const EcgSettings = z
  .object({
    records: z
      .array(z.number().int().min(100).max(234))
      .min(3)
      .max(44)
      .refine((r) => new Set(r).size === r.length, 'list each record once')
      .optional()
      .describe('MIT-BIH records to use (non-paced; at least two DS1 records and one DS2 record); default all 44.'),
    holdout: z
      .object({
        count: positive(21).optional().describe('Whole DS1 records held out for model selection; default 4.'),
        seed: z.number().int().min(0).max(2147483647).optional().describe('Seed of the hold-out record draw; default 0.'),
      })
      .strict()
      .optional(),
    folds: positive(8)
      .optional()
      .describe(
        'Cross-validation inside DS1: every candidate trains once per fold; fold k holds out the DS1 records of hold-out seed holdout.seed + k and uses weight seed train.seed + k. The search signal is the hold-out macro-F1 averaged over the folds, DS2 is reported as the mean over the fold models. Default 1: the single hold-out.',
      ),
    train: z
      .object({
        epochs: positive(200).optional().describe('Most epochs per candidate (early stopping usually ends sooner); default 5.'),
        beatsPerClass: positive(100000).optional().describe('Beats of each class drawn per class-balanced epoch; default 500.'),
        maxRepeat: positive(10000).optional().describe('Copies of one beat a class may contribute per epoch; default 20.'),
        batchSize: positive(4096).optional().describe('Training batch; default 128.'),
        learningRate: z.number().positive().max(10).optional().describe('Adam learning rate; default 0.003.'),
        patience: positive(200).optional().describe('Epochs without a better hold-out score before stopping; default 2.'),
        holdoutNormalCap: z.number().int().min(0).max(1000000).optional().describe('N beats of the hold-out scored after each epoch (0: all); default 2000.'),
        seed: z.number().int().min(0).max(2147483647).optional().describe('Weight seed of every candidate; default 0.'),
        balance: z
          .enum(['equal', 'sqrt'])
          .optional()
          .describe(
            "Class quotas of an epoch: 'equal' draws beatsPerClass beats of every class; 'sqrt' shares the same total in proportion to the square root of each class's training count. Default equal.",
          ),
      })
      .strict()
      .optional()
      .describe('Per-candidate training budget, identical for every candidate of the search.'),
  })
  .strict();
export type EcgSettings = z.infer<typeof EcgSettings>;

/** A spec's `space`: a built-in problem by name, or a space the user declares (docs/spaces.md). */
export const SpecSpace = z.union([shortName().describe('A built-in space: nb201, nb101, ecg.'), SpaceDefinition]);
export type SpecSpace = z.infer<typeof SpecSpace>;

/** The name a space goes by in listings, ids and logs: the built-in name, or the declared space's `name`. */
export const specSpaceName = (space: SpecSpace): string => (typeof space === 'string' ? space : space.name);

const METRIC = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/**
 * How a trial is trained by the user's own command (docs/trials.md, trial protocol v1). For a
 * built-in space the command is optional (its benchmark evaluates it); the failure settings apply
 * to every experiment.
 */
export const TrialSettings = z
  .object({
    command: z
      .array(z.string().min(1).max(4096))
      .min(1)
      .max(64)
      .optional()
      .describe('The trial command, as argv (no shell): run in a fresh directory ENAS_TRIAL_DIR holding arch.json; reports its metrics as result.json or an `enas-result {...}` stdout line (docs/trials.md). Required for a declared space.'),
    image: z.string().min(1).max(512).optional().describe('Container image that holds the command, for trials run as Kubernetes Jobs.'),
    parallel: positive(64).default(1).describe('Trials run at once by `enas search --spec` (the batch asked of the strategy together).'),
    timeoutSeconds: positive(30 * 24 * 3600).optional().describe('Wall-clock limit of one trial; past it the whole process group is killed and the trial fails as timed out.'),
    retries: z.number().int().min(0).max(10).default(0).describe('Times a failed or timed-out trial is run again before it counts as failed.'),
    maxFailedTrials: z.number().int().min(0).max(100000).optional().describe('Failed trials the experiment tolerates; one more fails it. Default: the larger of 3 and 10 % of queries.'),
    gpus: z.array(z.number().int().min(0).max(1023)).min(1).max(64).optional().describe('GPU ids for `enas search --spec`: each running trial gets one through CUDA_VISIBLE_DEVICES (at most this many run at once).'),
    env: z.record(z.string().regex(ENV_NAME, 'an environment variable name'), z.string().max(4096)).optional().describe('Environment given to every trial (ENAS_* names are the protocol\'s).'),
    params: z.record(z.string().max(128), z.unknown()).optional().describe('Fixed parameters passed to every trial in arch.json `params` (epochs, learning rate, ...).'),
  })
  .strict();
export type TrialSettings = z.infer<typeof TrialSettings>;

/** What the search optimises: a metric the trial reports, and which way is better. */
export const Objective = z
  .object({
    metric: z.string().regex(METRIC, 'a metric name: letters, digits, "_", "." and "-", starting with a letter or "_"').describe('The metric of the trial\'s result that the search optimises (required in every result).'),
    goal: z.enum(['maximize', 'minimize']).default('maximize').describe('maximize (accuracy) or minimize (loss, error).'),
  })
  .strict();
export type Objective = z.infer<typeof Objective>;

/** The median stopping rule across trials on intermediate values (docs/trials.md). */
export const EarlyStopping = z
  .object({
    rule: z.literal('median').describe('Stop a trial whose best value so far is worse than the median of the completed trials\' running averages at the same step.'),
    minTrials: positive(1000).default(5).describe('Completed trials that must have reached a step before the rule applies there.'),
    startStep: z.number().int().min(0).max(1000000).default(1).describe('The first step at which a trial may be stopped.'),
  })
  .strict();
export type EarlyStopping = z.infer<typeof EarlyStopping>;

/** What a user submits: one search, run through the same ask/tell strategies as `enas search`. */
export const ExperimentSpec = z
  .object({
    apiVersion: z.literal('enas/v1').describe('Spec format version; always enas/v1.'),
    kind: z.literal('Experiment'),
    name: z.string().regex(NAME, 'lower-case letters, digits and "-", at most 48 characters').optional().describe('A label for listings; need not be unique.'),
    space: SpecSpace.describe('Search space: a built-in name (nb201, nb101, ecg), or a declared space (type cell, dag or layers; docs/spaces.md).'),
    dataset: shortName().describe('Dataset of the space: cifar10, cifar100, imagenet16-120 (nb201); cifar10 (nb101); mitdb (ecg).'),
    strategy: shortName().describe('Strategy name as for `enas search --strategy`: random, rea, dcl-enas, ...'),
    seed: z.number().int().min(0).max(2147483647).default(0).describe('Seed of the strategy; the same seed gives the same search as `enas search --seed`.'),
    queries: z.number().int().min(1).max(100000).describe('Query budget: architectures trained.'),
    batchSize: z
      .number()
      .int()
      .min(1)
      .max(LIMITS.batchTrials)
      .default(1)
      .describe('Trials in flight at once (asked from the strategy together). 1 reproduces `enas search` exactly; more keeps more trainers busy.'),
    trial: TrialSettings.optional().describe('How trials are trained: your command (docs/trials.md), how many at once, timeouts, retries and the failures tolerated.'),
    objective: Objective.optional().describe('With a trial command: the reported metric the search optimises. Default for built-in spaces: their validation accuracy, maximised.'),
    earlyStopping: EarlyStopping.optional().describe('With a trial command that reports intermediate values: stop trials that lag (the median rule).'),
    ecg: EcgSettings.optional().describe('Space ecg only: the records and the per-candidate training budget (as `enas search --ecg`); default the published protocol.'),
    trialTemplate: z
      .record(z.string(), z.unknown())
      .optional()
      .describe(
        "How each trial runs as a Kubernetes Job when the orchestrator runs trials as Jobs (ENAS_TRIAL_LAUNCHER=kubernetes): image, GPUs, resources, placement, retries (docs/deploy.md, \"The trial template\"). The fields given replace those of the orchestrator's default template (ENAS_TRIAL_TEMPLATE_FILE), for the fields the operator's trial policy lets an experiment change (docs/deploy.md, \"What an experiment may change\"). Checked at submission; trainer workers (ENAS_TRIAL_LAUNCHER=queue) ignore it.",
      ),
  })
  .strict();
export type ExperimentSpec = z.infer<typeof ExperimentSpec>;

/**
 * The spec as JSON Schema (draft 2020-12), for editors and for validation outside TypeScript.
 * `trialTemplate`: the trial template's own schema, embedded in place of the open object this
 * library declares (the template belongs to libs/k8s-launcher, which this library cannot import).
 */
export function experimentSpecJsonSchema(parts: { trialTemplate?: Record<string, unknown> } = {}): Record<string, unknown> {
  const schema = z.toJSONSchema(ExperimentSpec, { io: 'input' }) as Record<string, unknown> & { properties: Record<string, Record<string, unknown>> };
  if (parts.trialTemplate) {
    // Every field is optional here: those left out come from the orchestrator's default template.
    const { $schema: _ignored, required: _required, ...embedded } = parts.trialTemplate;
    schema.properties['trialTemplate'] = { ...embedded, description: schema.properties['trialTemplate']!['description'] };
  }
  return {
    title: 'DCL-ENAS experiment spec (enas/v1)',
    ...schema,
  };
}

/** Parses a spec from YAML or JSON text (JSON is YAML); one ContractError naming the first problem. */
export function parseExperimentSpec(text: string, source = 'spec'): ExperimentSpec {
  const bytes = new TextEncoder().encode(text).length;
  if (bytes > LIMITS.specBytes) throw new ContractError(`${source} is ${bytes} bytes: a spec may be at most ${LIMITS.specBytes} bytes`);
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (e) {
    throw new ContractError(`${source} is not valid YAML or JSON: ${(e as Error).message.split('\n')[0]}`);
  }
  return decode(ExperimentSpec, raw, source);
}
