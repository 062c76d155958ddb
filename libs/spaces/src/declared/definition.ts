import { z } from 'zod';
import { UserError } from '@dcl-enas/common';
import { LAYER_OP_CHOICE, LAYER_SKIP, canonicalChoiceOrder } from '../layers/layers-space';

/** Names a declared space may not take: the built-in spaces. */
export const BUILTIN_SPACE_NAMES = ['nb201', 'nb101', 'ecg'] as const;

/**
 * Every limit on a declared space (docs/spaces.md). The graph limits keep a space within what
 * the predictor encodes: ArchGraph.ops is an Int8Array (node labels < 128) and the GNN pads
 * every graph to maxNodes.
 */
export const DECLARED_SPACE_LIMITS = {
  /** Space name: lower-case letters, digits and '-', not starting or ending with '-'. */
  nameChars: 48,
  /** Op names (cell, dag) and string values (layers): letters, digits, '_', '.', '-'. */
  opNameChars: 40,
  cell: {
    /** Cell-nodes, an op on each of the nodes(nodes-1)/2 edges: 8 nodes = 28 edges, a 30-node graph. */
    minNodes: 2,
    maxNodes: 8,
    minOps: 2,
    maxOps: 16,
  },
  dag: {
    /** Vertices including input and output. */
    minNodes: 3,
    maxNodes: 12,
    /** At least 2 edges (with 1 the only cell is input -> output), at most maxNodes(maxNodes-1)/2 (every forward edge). */
    minEdges: 2,
    minOps: 1,
    maxOps: 16,
  },
  layers: {
    /** Layers in all: `layers`, or the sum of the stages' largest depths. */
    maxLayers: 20,
    maxStages: 10,
    minChoices: 1,
    maxChoices: 4,
    minValues: 1,
    maxValues: 8,
    choiceNameChars: 32,
    /** Nodes of the predictor's graph (input, output, one per choice of every layer, one per stage boundary). */
    maxGraphNodes: 100,
    /** Distinct node labels (input, output, `stage`, every `choice=value`). */
    maxNodeOps: 120,
  },
} as const;

const L = DECLARED_SPACE_LIMITS;
const NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const OP = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const CHOICE = /^[a-z][a-z0-9_]*$/;
const RESERVED_OPS = ['input', 'output'];

const int = (min: number, max: number) =>
  z
    .number()
    .int('must be a whole number')
    .min(min, `at least ${min}`)
    .max(max, `at most ${max}`);

const SpaceName = z
  .string()
  .max(L.nameChars, `at most ${L.nameChars} characters`)
  .regex(NAME, 'lower-case letters, digits and "-" (not first or last)')
  .refine((n) => !(BUILTIN_SPACE_NAMES as readonly string[]).includes(n), { message: `is a built-in space (${BUILTIN_SPACE_NAMES.join(', ')}): give the declared space another name`, abort: true })
  .describe(`Name of the space, as results and caches show it: lower-case letters, digits and "-", at most ${L.nameChars} characters, not ${BUILTIN_SPACE_NAMES.join(', ')}.`);

const OpName = z
  .string()
  .max(L.opNameChars, `at most ${L.opNameChars} characters`)
  .regex(OP, 'letters, digits, "_", "." and "-", starting with a letter or digit')
  .refine((n) => !RESERVED_OPS.includes(n), { message: '"input" and "output" are the graph\'s own labels: choose another op name' });

function opList(min: number, max: number, what: string) {
  return z
    .array(OpName)
    .min(min, `at least ${min} op${min === 1 ? '' : 's'}`)
    .max(max, `at most ${max} ops`)
    .superRefine((ops, ctx) => {
      ops.forEach((op, i) => {
        if (ops.indexOf(op) !== i) ctx.addIssue({ code: 'custom', path: [i], message: `duplicate op "${op}"` });
      });
    })
    .describe(what);
}

export const DeclaredCellDefinition = z
  .strictObject({
    type: z.literal('cell').describe('A NAS-Bench-201-style cell: an op on every edge i<j of a DAG of `nodes` nodes; node j sums its incoming edges.'),
    name: SpaceName,
    nodes: int(L.cell.minNodes, L.cell.maxNodes).describe(
      `Cell-nodes, ${L.cell.minNodes}..${L.cell.maxNodes}: node 0 is the cell input, the last node its output, every pair i<j an edge (4 nodes: 6 edges, as NAS-Bench-201).`,
    ),
    ops: opList(
      L.cell.minOps,
      L.cell.maxOps,
      `Edge operations, ${L.cell.minOps}..${L.cell.maxOps} distinct names; "none" (zero) and "skip" (identity), by those exact names, decide which cells compute the same function.`,
    ),
  })
  .describe('A cell space (type: cell).');
export type DeclaredCellDefinition = z.infer<typeof DeclaredCellDefinition>;

export const DeclaredDagDefinition = z
  .strictObject({
    type: z.literal('dag').describe('A NAS-Bench-101-style cell: a DAG of up to maxNodes vertices and maxEdges edges, an op on every inner vertex.'),
    name: SpaceName,
    maxNodes: int(L.dag.minNodes, L.dag.maxNodes).describe(`Most vertices, input and output included, ${L.dag.minNodes}..${L.dag.maxNodes} (NAS-Bench-101: 7).`),
    maxEdges: int(L.dag.minEdges, (L.dag.maxNodes * (L.dag.maxNodes - 1)) / 2).describe(`Most edges, ${L.dag.minEdges}..maxNodes(maxNodes-1)/2 (NAS-Bench-101: 9; with 1 edge the only cell would be input -> output).`),
    ops: opList(L.dag.minOps, L.dag.maxOps, `Operations of the inner vertices, ${L.dag.minOps}..${L.dag.maxOps} distinct names.`),
  })
  .superRefine((def, ctx) => {
    const most = (def.maxNodes * (def.maxNodes - 1)) / 2;
    if (def.maxEdges > most) ctx.addIssue({ code: 'custom', path: ['maxEdges'], message: `at most ${most} for maxNodes ${def.maxNodes} (maxNodes(maxNodes-1)/2)` });
  })
  .describe('A DAG space (type: dag).');
export type DeclaredDagDefinition = z.infer<typeof DeclaredDagDefinition>;

const ChoiceValue = z.union([
  z.string().max(L.opNameChars, `at most ${L.opNameChars} characters`).regex(OP, 'letters, digits, "_", "." and "-", starting with a letter or digit'),
  z.number(),
]);

const Choices = z
  .record(z.string().max(L.layers.choiceNameChars, `at most ${L.layers.choiceNameChars} characters`).regex(CHOICE, 'a choice name is lower-case letters, digits and "_", starting with a letter'), z.array(ChoiceValue).min(L.layers.minValues, `at least ${L.layers.minValues} value`).max(L.layers.maxValues, `at most ${L.layers.maxValues} values`))
  .superRefine((choices, ctx) => {
    const names = Object.keys(choices);
    if (names.length < L.layers.minChoices) ctx.addIssue({ code: 'custom', message: `at least ${L.layers.minChoices} choice` });
    if (names.length > L.layers.maxChoices) ctx.addIssue({ code: 'custom', message: `at most ${L.layers.maxChoices} choices, got ${names.length}` });
    for (const name of names) {
      const texts = choices[name].map(String);
      texts.forEach((t, i) => {
        if (texts.indexOf(t) !== i) ctx.addIssue({ code: 'custom', path: [name, i], message: `duplicate value ${JSON.stringify(t)}` });
      });
    }
    const op = choices[LAYER_OP_CHOICE];
    if (op && op.every((v) => v === LAYER_SKIP)) ctx.addIssue({ code: 'custom', path: [LAYER_OP_CHOICE], message: `needs a value other than ${LAYER_SKIP}` });
  })
  .describe(
    `Choice name -> the values each layer picks one of (${L.layers.minChoices}..${L.layers.maxChoices} choices, ${L.layers.minValues}..${L.layers.maxValues} values each; strings or numbers), e.g. {op: [mbconv3, mbconv5, skip], width: [16, 32, 64]}. A layer whose op is "skip" is the identity and ignores its other choices.`,
  );

const Stage = z
  .strictObject({
    depth: z
      .tuple([int(1, L.layers.maxLayers), int(1, L.layers.maxLayers)], { error: 'expected [min, max]: two whole numbers' })
      .describe('[min, max]: the stage has min..max layers (a stage of depth d uses its first d layers; those past d are absent).'),
    choices: Choices,
  })
  .superRefine((stage, ctx) => {
    if (stage.depth[0] > stage.depth[1]) ctx.addIssue({ code: 'custom', path: ['depth'], message: `min ${stage.depth[0]} is more than max ${stage.depth[1]}` });
  })
  .describe('One stage: a depth range and the choices of its layers.');

export const DeclaredLayersDefinition = z
  .strictObject({
    type: z.literal('layers').describe('A macro space (MobileNet / once-for-all style): a chain of layers, each picking one value per choice.'),
    name: SpaceName,
    layers: int(1, L.layers.maxLayers)
      .optional()
      .describe(`Number of layers, 1..${L.layers.maxLayers}, every one with the same choices (give with choices, or give stages instead).`),
    choices: Choices.optional(),
    stages: z
      .array(Stage)
      .min(1, 'at least 1 stage')
      .max(L.layers.maxStages, `at most ${L.layers.maxStages} stages`)
      .optional()
      .describe(`Stages in order (instead of layers and choices), 1..${L.layers.maxStages}, at most ${L.layers.maxLayers} layers in all counting each stage at its largest depth.`),
  })
  .superRefine((def, ctx) => {
    const flat = def.layers !== undefined || def.choices !== undefined;
    if (flat && def.stages !== undefined) return void ctx.addIssue({ code: 'custom', path: ['stages'], message: 'give either layers with choices, or stages, not both' });
    if (!flat && def.stages === undefined) return void ctx.addIssue({ code: 'custom', path: [], message: 'give layers with choices, or stages' });
    if (flat && def.layers === undefined) return void ctx.addIssue({ code: 'custom', path: ['layers'], message: 'required with choices: the number of layers' });
    if (flat && def.choices === undefined) return void ctx.addIssue({ code: 'custom', path: ['choices'], message: 'required with layers: the choices of every layer' });
    const stages = layersStages(def);
    const field = def.stages ? 'stages' : 'layers';
    const total = stages.reduce((n, s) => n + s.depth[1], 0);
    if (total > L.layers.maxLayers) return void ctx.addIssue({ code: 'custom', path: [field], message: `at most ${L.layers.maxLayers} layers in all (each stage at its largest depth), got ${total}` });
    const graphNodes = 2 + stages.reduce((n, s) => n + s.depth[1] * Object.keys(s.choices).length, 0) + stages.length - 1;
    if (graphNodes > L.layers.maxGraphNodes) return void ctx.addIssue({ code: 'custom', path: [field], message: `the graph would have ${graphNodes} nodes, at most ${L.layers.maxGraphNodes}: fewer layers or choices` });
    const labels = new Set<string>();
    for (const s of stages) for (const [name, values] of Object.entries(s.choices)) for (const v of values) labels.add(`${name}=${String(v)}`);
    const nodeOps = labels.size + 2 + (stages.length > 1 ? 1 : 0);
    if (nodeOps > L.layers.maxNodeOps) return void ctx.addIssue({ code: 'custom', path: [def.stages ? 'stages' : 'choices'], message: `${nodeOps} node labels (every choice=value, input, output${stages.length > 1 ? ', stage' : ''}), at most ${L.layers.maxNodeOps}: fewer values` });
    const single = stages.every((s) => s.depth[0] === s.depth[1] && Object.values(s.choices).every((v) => v.length === 1));
    if (single) ctx.addIssue({ code: 'custom', path: [], message: 'the space has a single architecture: give a choice more than one value, or a stage a depth range' });
  })
  .describe('A layers space (type: layers): `layers` with `choices`, or `stages`.');
export type DeclaredLayersDefinition = z.infer<typeof DeclaredLayersDefinition>;

/** A user-declared search space, as under `space:` in an experiment spec (docs/spaces.md). */
export const SpaceDefinition = z
  .discriminatedUnion('type', [DeclaredCellDefinition, DeclaredDagDefinition, DeclaredLayersDefinition])
  .describe('A declared search space: type cell, dag or layers (docs/spaces.md).');
export type SpaceDefinition = z.infer<typeof SpaceDefinition>;

type ChoicesShape = Readonly<Record<string, readonly (string | number)[]>>;
interface LayersShape {
  readonly layers?: number;
  readonly choices?: ChoicesShape;
  readonly stages?: readonly { readonly depth: readonly [number, number]; readonly choices: ChoicesShape }[];
}

/** A layers definition as stages (`layers: N` with choices is one stage of depth [N, N]), choices in canonical order (op first, then by name). */
export function layersStages(def: LayersShape): { depth: [number, number]; choices: Record<string, (string | number)[]> }[] {
  const raw = def.stages ?? [{ depth: [def.layers!, def.layers!] as const, choices: def.choices! }];
  return raw.map((s) => ({
    depth: [s.depth[0], s.depth[1]],
    choices: Object.fromEntries(canonicalChoiceOrder(Object.keys(s.choices)).map((name) => [name, [...s.choices[name]]])),
  }));
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `space.ops[2]`, `space.choices.width[1]`, `space.stages[0].depth`. */
function fieldPath(label: string, path: readonly PropertyKey[]): string {
  let out = label;
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else if (typeof p === 'string' && IDENT.test(p)) out += `.${p}`;
    else out += `[${JSON.stringify(String(p))}]`;
  }
  return out;
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let v = raw;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 37)}...` : v)}`;
  if (typeof v === 'number') return Number.isFinite(v) ? `${v}` : String(v);
  return typeof v;
}

const EXPECTED: Record<string, string> = { int: 'a whole number', number: 'a number', string: 'a string', object: 'an object', array: 'a list', tuple: 'a list' };

/** One issue as [path, message]: the innermost useful problem of unions and record keys. */
function describeIssue(issue: z.core.$ZodIssue, raw: unknown, base: readonly PropertyKey[] = []): [readonly PropertyKey[], string] {
  const path = [...base, ...issue.path];
  switch (issue.code) {
    case 'invalid_type': {
      const v = valueAt(raw, path);
      if (v === undefined) return [path, 'required'];
      return [path, `expected ${EXPECTED[issue.expected] ?? issue.expected}, got ${kindOf(v)}`];
    }
    case 'unrecognized_keys': {
      const obj = valueAt(raw, path);
      const type = obj && typeof obj === 'object' ? (obj as Record<string, unknown>)['type'] : undefined;
      const of = path.length === 0 && typeof type === 'string' ? ` of a ${type} space` : '';
      return [[...path, issue.keys[0]], `unknown field${of}`];
    }
    case 'invalid_union': {
      if ('discriminator' in issue && issue.discriminator) {
        const v = valueAt(raw, path);
        return [path, v === undefined ? 'required: cell, dag or layers' : `expected cell, dag or layers, got ${kindOf(v)}`];
      }
      // The branch that got past the type check names the real problem (e.g. a string value that does not match).
      const branch = issue.errors.find((errs) => errs.length > 0 && errs[0].code !== 'invalid_type');
      if (branch) return describeIssue(branch[0], raw, path);
      return [path, `expected a string or a number, got ${kindOf(valueAt(raw, path))}`];
    }
    case 'invalid_key': {
      const inner = issue.issues[0];
      return [path, `invalid name: ${inner ? inner.message : issue.message}`];
    }
    case 'invalid_format':
      return [path, `${kindOf(valueAt(raw, path))} is not allowed: ${issue.message}`];
    case 'too_small':
    case 'too_big':
      if (issue.message.startsWith('Too ')) {
        const bound = issue.code === 'too_small' ? `at least ${issue.minimum}` : `at most ${issue.maximum}`;
        return [path, issue.origin === 'array' ? `${bound} entries` : issue.origin === 'string' ? `${bound} characters` : bound];
      }
      return [path, issue.message];
    default:
      return [path, issue.message];
  }
}

/** Control characters escaped, at most 300 characters: field names come from the input. */
function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  const escaped = text.replace(/[\u0000-\u001f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return escaped.length > 300 ? `${escaped.slice(0, 297)}...` : escaped;
}

/**
 * Checks a space definition (the object under `space:`); on failure one UserError line naming
 * the field and the problem, e.g. `space.ops[2]: duplicate op "conv3"` or `space.nodes: at most 8`.
 */
export function checkSpaceDefinition(raw: unknown, label = 'space'): SpaceDefinition {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new UserError(`${label}: expected a built-in space name (${BUILTIN_SPACE_NAMES.join(', ')}) or a space definition object with a type (cell, dag or layers), got ${kindOf(raw)}`);
  }
  const parsed = SpaceDefinition.safeParse(raw);
  if (parsed.success) return parsed.data;
  const [path, message] = describeIssue(parsed.error.issues[0], raw);
  throw new UserError(oneLine(`${fieldPath(label, path)}: ${message}`));
}
