import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { describe, expect, it } from 'vitest';
import { parseExperimentSpec } from '@dcl-enas/contracts';
import { experimentSpecWithTrialTemplateJsonSchema } from './experiment-spec-schema';
import { parseTrialTemplate } from './trial-template';

const examples = join(__dirname, '..', '..', '..', 'examples');
const schemaFile = join(examples, 'experiment-spec.schema.json');

describe('the experiment spec JSON Schema with the trial template embedded', () => {
  it('is the committed examples/experiment-spec.schema.json (ENAS_WRITE_SCHEMA=1 rewrites it)', () => {
    const generated = JSON.stringify(experimentSpecWithTrialTemplateJsonSchema(), null, 2) + '\n';
    if (process.env['ENAS_WRITE_SCHEMA'] === '1') writeFileSync(schemaFile, generated);
    expect(readFileSync(schemaFile, 'utf8')).toBe(generated);
    const schema = JSON.parse(generated);
    const template = schema.properties.trialTemplate;
    expect(template.additionalProperties).toBe(false);
    expect(Object.keys(template.properties)).toEqual(expect.arrayContaining(['image', 'gpus', 'nodeSelector', 'tolerations', 'pending', 'maxConcurrentTrials']));
    // Fields left out come from the orchestrator's default template.
    expect(template.required).toBeUndefined();
  });

  it('every example spec validates against it, and its trial template over a default one parses', () => {
    const validate = new Ajv2020({ allErrors: true, strict: false }).compile(experimentSpecWithTrialTemplateJsonSchema());
    const files = readdirSync(examples).filter((file) => file.endsWith('.yaml'));
    let withTemplate = 0;
    for (const file of files) {
      const text = readFileSync(join(examples, file), 'utf8');
      const spec = parseExperimentSpec(text, file);
      expect(validate(JSON.parse(JSON.stringify(spec))), `${file}: ${JSON.stringify(validate.errors)}`).toBe(true);
      if (spec.trialTemplate) {
        withTemplate++;
        const template = parseTrialTemplate({ image: 'registry.example.com/dcl-enas/trainer-gpu:0.1.0', ...spec.trialTemplate }, `${file} trialTemplate`);
        expect(template.gpus).toBeGreaterThanOrEqual(0);
      }
    }
    expect(withTemplate).toBeGreaterThanOrEqual(1);
    // The schema catches a misspelt template field, as the orchestrator does.
    const bad = { apiVersion: 'enas/v1', kind: 'Experiment', space: 'nb201', dataset: 'cifar10', strategy: 'rea', queries: 5, trialTemplate: { gpu: 1 } };
    expect(validate(bad)).toBe(false);
    expect(() => parseTrialTemplate({ image: 'x', ...bad.trialTemplate })).toThrow(/^trialTemplate: Unrecognized key: "gpu"/);
  });
});
