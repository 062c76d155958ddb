import { experimentSpecJsonSchema } from '@dcl-enas/contracts';
import { trialTemplateJsonSchema } from './trial-template';

/**
 * The experiment spec's JSON Schema with the trial template's schema embedded in its
 * `trialTemplate` field: what examples/experiment-spec.schema.json holds and what the
 * orchestrator serves at GET /schema/experiment.
 */
export function experimentSpecWithTrialTemplateJsonSchema(): Record<string, unknown> {
  return experimentSpecJsonSchema({ trialTemplate: trialTemplateJsonSchema() });
}
