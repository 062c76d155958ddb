import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderChart, renderTemplate } from './chart-render';
import { mergeValues, readChart } from './helm-chart';
import { assertValidK8sObjects } from '@dcl-enas/k8s-testing';

/** The Go-template renderer the chart tests use in place of `helm template` (no helm binary needed). */
const chart = readChart(resolve(__dirname, '../../helm/dcl-enas'));

describe('chart-render: Go text/template and Sprig as Helm runs them', () => {
  it('trims around {{- and -}}, drops comments, and prints nothing for a missing key', () => {
    expect(renderTemplate('a  \n  {{- .x -}}  \n  b{{/* no */}}{{- /* nor this */ -}} c{{ .missing }}.', { x: 1 })).toBe('a1bc.');
  });

  it('if / else if / else, with, range over lists and maps (sorted keys), and variables scoped to their block', () => {
    const source = [
      '{{- if eq .n 1 }}one{{ else if eq .n 2 }}two{{ else }}many{{ end }}',
      '{{- with .m }}|{{ .a }}{{ else }}|none{{ end }}',
      '{{- range $k, $v := .m }}|{{ $k }}={{ $v }}{{ end }}',
      '{{- range $i, $v := .l }}|{{ $i }}:{{ $v }}{{ else }}|empty{{ end }}',
      '{{- $total := 0 }}{{ range .l }}{{ $total = add $total . }}{{ end }}|{{ $total }}',
      '{{- range until 3 }}|{{ . }}{{ end }}',
    ].join('');
    expect(renderTemplate(source, { n: 2, m: { b: 2, a: 1 }, l: [5, 6] })).toBe('two|1|a=1|b=2|0:5|1:6|11|0|1|2');
    expect(renderTemplate(source, { n: 7, m: {}, l: [] })).toBe('many|none|empty|0|0|1|2');
  });

  it('define and include, with the pipeline value last, and $ the data of the template being run', () => {
    const helpers = { helpers: '{{- define "name" -}}{{ .a }}-{{ $.b }}{{- end -}}' };
    expect(renderTemplate('x:{{ include "name" (dict "a" 1 "b" 2) | nindent 2 }}', {}, helpers)).toBe('x:\n  1-2');
    expect(renderTemplate('{{ .v | default "d" | quote }} {{ printf "%s-%d" "a" 3 }} {{ toJson .m }}', { v: '', m: { b: [1], a: 'x' } })).toBe('"d" a-3 {"a":"x","b":[1]}');
    expect(renderTemplate('{{ toYaml .m | nindent 4 }}', { m: { b: { c: 1 }, a: ['x'] } })).toBe('\n    a:\n      - x\n    b:\n      c: 1');
  });

  it('and / or stop at their first deciding argument, as in Go 1.18 and later', () => {
    expect(renderTemplate('{{ if and .a .a.b }}yes{{ else }}no{{ end }}', { a: null })).toBe('no');
    expect(renderTemplate('{{ or .x "fallback" }}', { x: '' })).toBe('fallback');
  });

  it('fails as Helm does: fail, required, a field of nothing, an unknown function', () => {
    expect(() => renderTemplate('{{ fail "set x" }}', {})).toThrow(/^set x$/);
    expect(() => renderTemplate('{{ required "x is required" .x }}', {})).toThrow(/^x is required$/);
    expect(() => renderTemplate('{{ .a.b }}', {})).toThrow(/nil pointer evaluating interface \{\}\.b/);
    expect(() => renderTemplate('{{ frobnicate 1 }}', {})).toThrow(/function "frobnicate" not defined/);
  });

  it('renders helm/dcl-enas with its values checked against values.schema.json first', () => {
    expect(() => renderChart(chart, mergeValues(chart.values, { nats: { enable: true } }))).toThrow(/values don't meet the specifications[\s\S]*\/nats must NOT have additional properties \(enable\)/);
    const rendered = renderChart(chart, mergeValues(chart.values, { data: { storageClass: 'rwx-test' } }), { releaseName: 'enas', namespace: 'ml' });
    expect(rendered.objects.length).toBeGreaterThan(20);
    assertValidK8sObjects(rendered.objects, 'helm/dcl-enas');
    expect(rendered.notes).toContain('installed in namespace ml');
    expect(rendered.objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'enas-config')).toBeDefined();
  });
});
