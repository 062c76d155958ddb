import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { trialTemplateFileSchema } from '@dcl-enas/k8s-launcher';
import { mergeValues, readChart, templateStructureProblems, undefinedValuePaths, unusedValues, valuesProblems } from './helm-chart';

const chartDir = resolve(__dirname, '../../helm/dcl-enas');
const chart = readChart(chartDir);
const examples = readdirSync(join(chartDir, 'examples')).filter((file) => file.endsWith('.yaml'));

describe('helm/dcl-enas', () => {
  it('its default values validate against values.schema.json', () => {
    expect(valuesProblems(chart, chart.values)).toEqual([]);
  });

  it.each(examples)('examples/%s, merged over the defaults, validates against values.schema.json', (file) => {
    const override = parse(readFileSync(join(chartDir, 'examples', file), 'utf8')) as Record<string, unknown>;
    expect(valuesProblems(chart, mergeValues(chart.values, override))).toEqual([]);
  });

  it('the schema refuses misspelt keys, unknown modes and bad quantities', () => {
    const bad = mergeValues(chart.values, {
      orchestrator: { launcher: { mode: 'jobs' } },
      trials: { gpu: 1, resources: { requests: { memory: 'lots' } } },
    });
    const problems = valuesProblems(chart, bad).join('\n');
    expect(problems).toMatch(/\/orchestrator\/launcher\/mode must be equal to one of the allowed values/);
    expect(problems).toMatch(/\/trials must NOT have additional properties \(gpu\)/);
    expect(problems).toMatch(/\/trials\/resources\/requests\/memory/);
  });

  it('every .Values path a template uses is defined in values.yaml', () => {
    expect(undefinedValuePaths(chart)).toEqual([]);
  });

  it('every value in values.yaml is read by some template', () => {
    expect(unusedValues(chart)).toEqual([]);
  });

  it('template blocks are balanced and every included template is defined', () => {
    expect(templateStructureProblems(chart)).toEqual([]);
    const broken = { ...chart, templates: new Map([...chart.templates, ['broken.yaml', '{{- if .Values.x }}\n{{ include "nope" . }}']]) };
    expect(templateStructureProblems(broken)).toEqual(['broken.yaml: 1 block(s) not closed with {{ end }}', 'broken.yaml: includes "nope", which no template defines']);
  });

  it('the trial template ConfigMap writes only fields of the trial template file (the template and its policy)', () => {
    const text = chart.templates.get('configmaps.yaml')!;
    const block = text.slice(text.indexOf('trial-template.yaml: |'));
    const fields = [...block.matchAll(/^ {4}([A-Za-z]+):/gm)].map((match) => match[1]!);
    expect(fields.length).toBeGreaterThan(10);
    expect(fields.filter((field) => !(field in trialTemplateFileSchema.shape))).toEqual([]);
  });

  it('Chart.yaml is a v2 application chart whose versions match', () => {
    const meta = parse(readFileSync(join(chartDir, 'Chart.yaml'), 'utf8')) as Record<string, string>;
    expect(meta['apiVersion']).toBe('v2');
    expect(meta['name']).toBe('dcl-enas');
    expect(meta['appVersion']).toBe(chart.values['image'] && (chart.values['image'] as Record<string, string>)['tag']);
  });
});
