import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { z } from 'zod';
import { UserError } from '@dcl-enas/common';
import { BUILTIN_SPACE_NAMES, DECLARED_SPACE_LIMITS, SpaceDefinition, checkSpaceDefinition } from './definition';
import { canonicalDefinition, declaredSpace, distinctKeys } from './declared-space';

const cell = { type: 'cell', name: 'my-cell', nodes: 4, ops: ['none', 'skip', 'conv3', 'pool'] };
const dag = { type: 'dag', name: 'my-dag', maxNodes: 5, maxEdges: 6, ops: ['conv3', 'pool'] };
const layers = { type: 'layers', name: 'mobile', layers: 3, choices: { op: ['mbconv3', 'mbconv5', 'mbconv7'], width: [16, 32] } };
const stages = {
  type: 'layers',
  name: 'ofa',
  stages: [
    { depth: [2, 4], choices: { op: ['mbconv3', 'mbconv5', 'skip'], expand: [3, 6] } },
    { depth: [1, 2], choices: { kernel: [3, 5, 7], width: [32, 64] } },
  ],
};

/** A declared space from a loosely typed fixture. */
const build = (def: unknown) => declaredSpace(def as SpaceDefinition);

/** The one-line message checkSpaceDefinition throws for `raw`. */
function refusal(raw: unknown, label?: string): string {
  try {
    checkSpaceDefinition(raw, label);
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    const message = (e as Error).message;
    expect(message).not.toMatch(/[\r\n]/);
    expect(message.length).toBeLessThanOrEqual(300);
    return message;
  }
  throw new Error(`accepted ${JSON.stringify(raw)}`);
}

describe('space definitions', () => {
  it('accepts a definition of each type', () => {
    for (const def of [cell, dag, layers, stages]) expect(checkSpaceDefinition(def)).toEqual(def);
  });

  it('refuses bad definitions with one line naming the field', () => {
    const cases: [unknown, string][] = [
      ['nb201', 'space: expected a built-in space name (nb201, nb101, ecg) or a space definition object with a type (cell, dag or layers), got the string "nb201"'],
      [[cell], 'space: expected a built-in space name (nb201, nb101, ecg) or a space definition object with a type (cell, dag or layers), got a list'],
      [{}, 'space.type: required: cell, dag or layers'],
      [{ ...cell, type: 'tree' }, 'space.type: expected cell, dag or layers, got the string "tree"'],
      [{ ...cell, name: undefined }, 'space.name: required'],
      [{ ...cell, name: 'nb101' }, 'space.name: is a built-in space (nb201, nb101, ecg): give the declared space another name'],
      [{ ...cell, name: 'My_Cell' }, 'space.name: the string "My_Cell" is not allowed: lower-case letters, digits and "-" (not first or last)'],
      [{ ...cell, name: 'x'.repeat(49) }, 'space.name: at most 48 characters'],
      [{ ...cell, nodes: 9 }, 'space.nodes: at most 8'],
      [{ ...cell, nodes: 1 }, 'space.nodes: at least 2'],
      [{ ...cell, nodes: 3.5 }, 'space.nodes: expected a whole number, got 3.5'],
      [{ ...cell, nodes: '4' }, 'space.nodes: expected a number, got the string "4"'],
      [{ ...cell, ops: ['none', 'skip', 'conv3', 'conv3'] }, 'space.ops[3]: duplicate op "conv3"'],
      [{ ...cell, ops: ['conv3'] }, 'space.ops: at least 2 ops'],
      [{ ...cell, ops: Array.from({ length: 17 }, (_, i) => `op${i}`) }, 'space.ops: at most 16 ops'],
      [{ ...cell, ops: ['none', 'output'] }, 'space.ops[1]: "input" and "output" are the graph\'s own labels: choose another op name'],
      [{ ...cell, ops: ['none', 'conv|3'] }, 'space.ops[1]: the string "conv|3" is not allowed: letters, digits, "_", "." and "-", starting with a letter or digit'],
      [{ ...cell, ops: ['none', 3] }, 'space.ops[1]: expected a string, got 3'],
      [{ ...cell, maxNodes: 4 }, 'space.maxNodes: unknown field of a cell space'],
      [{ ...dag, maxNodes: 13 }, 'space.maxNodes: at most 12'],
      [{ ...dag, maxEdges: 11 }, 'space.maxEdges: at most 10 for maxNodes 5 (maxNodes(maxNodes-1)/2)'],
      [{ ...dag, maxEdges: 1 }, 'space.maxEdges: at least 2'],
      [{ ...dag, ops: [] }, 'space.ops: at least 1 op'],
      [{ ...layers, layers: undefined }, 'space.layers: required with choices: the number of layers'],
      [{ ...layers, choices: undefined }, 'space.choices: required with layers: the choices of every layer'],
      [{ type: 'layers', name: 'x' }, 'space: give layers with choices, or stages'],
      [{ ...layers, stages: stages.stages }, 'space.stages: give either layers with choices, or stages, not both'],
      [{ ...layers, layers: 21 }, 'space.layers: at most 20'],
      [{ ...layers, choices: { op: ['a', 'b'], Width: [1] } }, 'space.choices.Width: invalid name: a choice name is lower-case letters, digits and "_", starting with a letter'],
      [{ ...layers, choices: { a: [1, 2], b: [1], c: [1], d: [1], e: [1] } }, 'space.choices: at most 4 choices, got 5'],
      [{ ...layers, choices: {} }, 'space.choices: at least 1 choice'],
      [{ ...layers, choices: { op: [] } }, 'space.choices.op: at least 1 value'],
      [{ ...layers, choices: { op: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'] } }, 'space.choices.op: at most 8 values'],
      [{ ...layers, choices: { op: ['a', true] } }, 'space.choices.op[1]: expected a string or a number, got boolean'],
      [{ ...layers, choices: { op: ['a', 'b c'] } }, 'space.choices.op[1]: the string "b c" is not allowed: letters, digits, "_", "." and "-", starting with a letter or digit'],
      [{ ...layers, choices: { width: [32, '32'] } }, 'space.choices.width[1]: duplicate value "32"'],
      [{ ...layers, choices: { op: ['skip'] } }, 'space.choices.op: needs a value other than skip'],
      [{ ...layers, choices: { op: ['a'], width: [8] } }, 'space: the space has a single architecture: give a choice more than one value, or a stage a depth range'],
      [{ ...stages, stages: [{ depth: [3, 2], choices: { op: ['a', 'b'] } }] }, 'space.stages[0].depth: min 3 is more than max 2'],
      [{ ...stages, stages: [{ depth: [2], choices: { op: ['a', 'b'] } }] }, 'space.stages[0].depth: expected [min, max]: two whole numbers'],
      [{ ...stages, stages: [{ depth: [0, 2], choices: { op: ['a', 'b'] } }] }, 'space.stages[0].depth[0]: at least 1'],
      [{ ...stages, stages: [{ depth: [1, 2], choices: { op: ['a', 'b'] }, stride: 2 }] }, 'space.stages[0].stride: unknown field'],
      [{ ...stages, stages: [] }, 'space.stages: at least 1 stage'],
      [{ ...stages, stages: Array.from({ length: 11 }, () => ({ depth: [1, 1], choices: { op: ['a', 'b'] } })) }, 'space.stages: at most 10 stages'],
      [{ ...stages, stages: Array.from({ length: 3 }, () => ({ depth: [1, 7], choices: { op: ['a', 'b'] } })) }, 'space.stages: at most 20 layers in all (each stage at its largest depth), got 21'],
      [
        { ...stages, stages: Array.from({ length: 10 }, (_, s) => ({ depth: [1, 1], choices: { a: [1, 2, 3, 4, 5, 6, 7, 8].map((v) => v + 8 * s), b: [1, 2, 3, 4, 5, 6, 7, 8].map((v) => `s${s}v${v}`) } })) },
        'space.stages: 163 node labels (every choice=value, input, output, stage), at most 120: fewer values',
      ],
    ];
    for (const [raw, message] of cases) expect(refusal(raw), JSON.stringify(raw)).toBe(message);
    expect(refusal({ ...cell, nodes: 9 }, 'spec.space')).toBe('spec.space.nodes: at most 8');
  });

  it('never throws anything but a one-line UserError on arbitrary input', () => {
    const near = fc.oneof(fc.constant(cell), fc.constant(dag), fc.constant(layers), fc.constant(stages)).chain((base) =>
      fc.record({ key: fc.constantFrom(...Object.keys(base), 'extra', 'type'), value: fc.jsonValue({ maxDepth: 3 }) }).map(({ key, value }) => ({ ...base, [key]: value })),
    );
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue({ maxDepth: 4 }), near), (raw) => {
        try {
          const def = checkSpaceDefinition(raw);
          expect(declaredSpace(def).name).toBe(def.name);
        } catch (e) {
          expect(e).toBeInstanceOf(UserError);
          expect((e as Error).message).not.toMatch(/[\r\n]/);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('keeps its limits in DECLARED_SPACE_LIMITS', () => {
    expect(DECLARED_SPACE_LIMITS.cell).toEqual({ minNodes: 2, maxNodes: 8, minOps: 2, maxOps: 16 });
    expect(DECLARED_SPACE_LIMITS.dag).toEqual({ minNodes: 3, maxNodes: 12, minEdges: 2, minOps: 1, maxOps: 16 });
    expect(DECLARED_SPACE_LIMITS.layers.maxLayers).toBe(20);
    expect(BUILTIN_SPACE_NAMES).toEqual(['nb201', 'nb101', 'ecg']);
  });

  it('generates a JSON Schema with a description on every field', () => {
    const schema = z.toJSONSchema(SpaceDefinition, { io: 'input' }) as { description?: string; oneOf: { properties: Record<string, { description?: string }> }[] };
    expect(schema.description).toMatch(/declared search space/);
    expect(schema.oneOf).toHaveLength(3);
    for (const option of schema.oneOf) for (const [field, prop] of Object.entries(option.properties)) expect(prop.description, field).toBeTruthy();
    const layersSchema = schema.oneOf[2] as unknown as { properties: { stages: { items: { properties: Record<string, { description?: string }>; additionalProperties: boolean } } }; additionalProperties: boolean };
    expect(layersSchema.additionalProperties).toBe(false);
    for (const [field, prop] of Object.entries(layersSchema.properties.stages.items.properties)) expect(prop.description, field).toBeTruthy();
  });
});

describe('declared spaces', () => {
  it('builds each type with its definition, type and canonical text', () => {
    for (const def of [cell, dag, layers, stages] as SpaceDefinition[]) {
      const space = declaredSpace(def);
      expect(space.type).toBe(def.type);
      expect(space.name).toBe(def.name);
      expect(space.definition).toEqual(def);
      expect(JSON.parse(space.canonical)).toMatchObject({ type: def.type, name: def.name });
      expect(space.canonical).toBe(canonicalDefinition(checkSpaceDefinition(def)));
    }
  });

  it('refuses an invalid definition with the same UserError', () => {
    expect(() => build({ ...cell, nodes: 12 })).toThrow('space.nodes: at most 8');
  });

  it('gives the same canonical text to definitions that differ only in field order, and a different one otherwise', () => {
    const shuffledLayers = { choices: { width: [16, 32], op: ['mbconv3', 'mbconv5', 'mbconv7'] }, layers: 3, name: 'mobile', type: 'layers' };
    expect(build(shuffledLayers).canonical).toBe(build(layers).canonical);
    const shuffledCell = { ops: cell.ops, nodes: 4, name: 'my-cell', type: 'cell' };
    expect(build(shuffledCell).canonical).toBe(build(cell).canonical);
    expect(build({ maxEdges: 6, ops: dag.ops, type: 'dag', maxNodes: 5, name: 'my-dag' }).canonical).toBe(build(dag).canonical);
    const shuffledStages = { name: 'ofa', stages: stages.stages.map((s) => ({ choices: Object.fromEntries(Object.entries(s.choices).reverse()), depth: s.depth })), type: 'layers' };
    expect(build(shuffledStages).canonical).toBe(build(stages).canonical);
    // layers: N with choices is the one-stage space of depth [N, N]
    expect(build({ type: 'layers', name: 'mobile', stages: [{ depth: [3, 3], choices: layers.choices }] }).canonical).toBe(build(layers).canonical);
    expect(build(cell).canonical).toBe('{"type":"cell","name":"my-cell","nodes":4,"ops":["none","skip","conv3","pool"]}');

    const variants: unknown[] = [
      cell,
      { ...cell, name: 'other' },
      { ...cell, nodes: 5 },
      { ...cell, ops: ['skip', 'none', 'conv3', 'pool'] },
      { ...cell, ops: ['none', 'skip', 'conv3'] },
      dag,
      { ...dag, maxEdges: 7 },
      { ...dag, maxNodes: 6 },
      { ...dag, ops: ['pool', 'conv3'] },
      layers,
      { ...layers, layers: 4 },
      { ...layers, choices: { ...layers.choices, width: [32, 16] } },
      { ...layers, choices: { ...layers.choices, width: ['16', '32'] } },
      { ...layers, choices: { ...layers.choices, expand: [3, 6] } },
      stages,
      { ...stages, stages: [stages.stages[0], { ...stages.stages[1], depth: [1, 3] }] },
      { ...stages, stages: [stages.stages[1], stages.stages[0]] },
    ];
    const texts = variants.map((v) => build(v).canonical);
    expect(new Set(texts).size).toBe(variants.length);
  });

  it('builds spaces that behave the same from definitions with the same canonical text', () => {
    const a = build(layers);
    const b = build({ choices: { width: [16, 32], op: ['mbconv3', 'mbconv5', 'mbconv7'] }, layers: 3, name: 'mobile', type: 'layers' });
    expect([...a.enumerate!()].map(a.format)).toEqual([...b.enumerate!()].map(b.format));
    expect(a.nodeOps).toEqual(b.nodeOps);
  });

  it('recognises none and skip in a cell by those exact names', () => {
    const space = build(cell);
    const k = (t: string) => space.key(space.parse(t));
    expect(k('|conv3~0|+|none~0|none~1|+|none~0|skip~1|none~2|')).toBe(k('|none~0|+|conv3~0|none~1|+|none~0|none~1|skip~2|'));
    const other = build({ ...cell, ops: ['zero', 'identity', 'conv3', 'pool'] });
    const k2 = (t: string) => other.key(other.parse(t));
    expect(k2('|conv3~0|+|zero~0|zero~1|+|zero~0|identity~1|zero~2|')).not.toBe(k2('|zero~0|+|conv3~0|zero~1|+|zero~0|zero~1|identity~2|'));
  });

  it('counts distinct keys up to a limit', () => {
    expect(distinctKeys(build(layers), 1000)).toBe(216);
    expect(distinctKeys(build(layers), 100)).toBeNull();
    const c = declaredSpace({ type: 'cell', name: 'c3', nodes: 3, ops: ['none', 'skip', 'conv'] });
    const n = distinctKeys(c, 1000)!;
    expect(n).toBeGreaterThan(1);
    expect(n).toBeLessThan(27);
    expect(distinctKeys({ ...c, enumerate: undefined }, 1000)).toBeNull();
    // no size: stops after `limit` architectures
    expect(distinctKeys({ ...c, size: undefined }, 5)).toBeNull();
    expect(distinctKeys({ ...c, size: undefined }, 27)).toBe(n);
  });
});
