import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';

/**
 * Checks of a Helm chart that need no helm binary: values files against values.schema.json,
 * every `.Values` path the templates use against values.yaml (and every value against some
 * use), template blocks balanced, and `include`s of defined templates only. Rendering is
 * left to `helm template` (tools/k8s-check.sh), where helm is installed.
 */

type Values = Record<string, unknown>;

export interface Chart {
  dir: string;
  values: Values;
  schema: object;
  templates: Map<string, string>;
}

export function readChart(dir: string): Chart {
  const templatesDir = join(dir, 'templates');
  const templates = new Map(
    readdirSync(templatesDir)
      .filter((file) => /\.(ya?ml|tpl|txt)$/.test(file))
      .map((file) => [file, readFileSync(join(templatesDir, file), 'utf8')] as const),
  );
  return {
    dir,
    values: parse(readFileSync(join(dir, 'values.yaml'), 'utf8')) as Values,
    schema: JSON.parse(readFileSync(join(dir, 'values.schema.json'), 'utf8')) as object,
    templates,
  };
}

const isMap = (value: unknown): value is Values => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Helm's coalescing of a -f values file over values.yaml: maps merge, lists and scalars replace, null deletes. */
export function mergeValues(base: Values, override: Values): Values {
  const merged: Values = structuredClone(base);
  for (const [key, value] of Object.entries(override)) {
    if (value === null) delete merged[key];
    else if (isMap(value) && isMap(merged[key])) merged[key] = mergeValues(merged[key] as Values, value);
    else merged[key] = structuredClone(value);
  }
  return merged;
}

/** Problems of a values object against the chart's values.schema.json (empty when valid). */
export function valuesProblems(chart: Chart, values: Values): string[] {
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validate = ajv.compile(chart.schema);
  if (validate(values)) return [];
  return (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message}${error.params && 'additionalProperty' in error.params ? ` (${String(error.params['additionalProperty'])})` : ''}`);
}

/** Every `.Values.a.b.c` path written in the templates. */
export function usedValuePaths(chart: Chart): Map<string, string[]> {
  const used = new Map<string, string[]>();
  for (const [file, text] of chart.templates) {
    for (const match of text.matchAll(/\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)) {
      const path = match[1]!.slice(1);
      used.set(path, [...(used.get(path) ?? []), file]);
    }
  }
  return used;
}

function hasPath(values: Values, path: string): boolean {
  let node: unknown = values;
  for (const part of path.split('.')) {
    if (!isMap(node) || !(part in node)) return false;
    node = node[part];
  }
  return true;
}

/** Template uses of `.Values` paths that values.yaml does not define. */
export function undefinedValuePaths(chart: Chart): string[] {
  return [...usedValuePaths(chart)].filter(([path]) => !hasPath(chart.values, path)).map(([path, files]) => `${path} (${files.join(', ')})`);
}

/** values.yaml leaves no template reads, directly or through a parent map it renders whole. */
export function unusedValues(chart: Chart): string[] {
  const used = [...usedValuePaths(chart).keys()];
  const leaves: string[] = [];
  const walk = (node: unknown, path: string): void => {
    if (isMap(node) && Object.keys(node).length > 0) {
      for (const [key, child] of Object.entries(node)) walk(child, path ? `${path}.${key}` : key);
    } else leaves.push(path);
  };
  walk(chart.values, '');
  return leaves.filter((leaf) => !used.some((path) => leaf === path || leaf.startsWith(`${path}.`)));
}

/** Unbalanced if/range/with/define/block ... end, and includes of templates nobody defines. */
export function templateStructureProblems(chart: Chart): string[] {
  const problems: string[] = [];
  const defined = new Set<string>();
  const included: { file: string; name: string }[] = [];
  for (const [file, text] of chart.templates) {
    let depth = 0;
    for (const action of text.matchAll(/\{\{-?\s*(.*?)\s*-?\}\}/gs)) {
      const body = action[1]!;
      if (body.startsWith('/*')) continue;
      const word = /^(\w+)/.exec(body)?.[1];
      if (word === 'if' || word === 'range' || word === 'with' || word === 'define' || word === 'block') depth++;
      if (word === 'end') depth--;
      if (depth < 0) problems.push(`${file}: {{ end }} without an opening block`);
      const define = /^define\s+"([^"]+)"/.exec(body);
      if (define) defined.add(define[1]!);
      for (const include of body.matchAll(/(?:include|template)\s+"([^"]+)"/g)) included.push({ file, name: include[1]! });
    }
    if (depth > 0) problems.push(`${file}: ${depth} block(s) not closed with {{ end }}`);
  }
  for (const { file, name } of included) {
    if (!defined.has(name)) problems.push(`${file}: includes "${name}", which no template defines`);
  }
  return problems;
}
