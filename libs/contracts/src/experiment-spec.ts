import { z } from 'zod';
import { parse as parseYaml } from 'yaml';
import { ContractError, decode } from './decode';
import { LIMITS, shortName } from './limits';

const NAME = /^[a-z0-9]([a-z0-9-]{0,46}[a-z0-9])?$/;

/** What a user submits: one search, run through the same ask/tell strategies as `enas search`. */
export const ExperimentSpec = z
  .object({
    apiVersion: z.literal('enas/v1').describe('Spec format version; always enas/v1.'),
    kind: z.literal('Experiment'),
    name: z.string().regex(NAME, 'lower-case letters, digits and "-", at most 48 characters').optional().describe('A label for listings; need not be unique.'),
    space: shortName().describe('Search space: nb201, nb101.'),
    dataset: shortName().describe('Dataset of the space: cifar10, cifar100, imagenet16-120 (nb201); cifar10 (nb101).'),
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
    trialTemplate: z
      .record(z.string(), z.unknown())
      .optional()
      .describe(
        "How each trial runs as a Kubernetes Job when the orchestrator runs trials as Jobs (ENAS_TRIAL_LAUNCHER=kubernetes): image, GPUs, resources, placement, retries (docs/deploy.md, \"The trial template\"). The fields given replace those of the orchestrator's default template (ENAS_TRIAL_TEMPLATE_FILE); with no default, image is required. Checked at submission; trainer workers (ENAS_TRIAL_LAUNCHER=queue) ignore it.",
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
