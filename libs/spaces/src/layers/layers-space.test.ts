import { describe, expect, it } from 'vitest';
import { Rng, UserError } from '@dcl-enas/common';
import { spaceProperties } from '../declared/space-properties';
import { createLayersSpace, type LayersArch, type LayersSpace, type LayersStageDefinition } from './layers-space';

const flat = (layers: number, choices: LayersStageDefinition['choices'], name = 'flat'): LayersSpace => createLayersSpace({ name, label: name, stages: [{ depth: [layers, layers], choices }] });

/** 3 layers x 3 ops (no skip) x 2 widths. */
const plain = flat(3, { op: ['mbconv3', 'mbconv5', 'mbconv7'], width: [16, 32] }, 'plain');
/** The same with skip as the third op. */
const skippy = flat(3, { op: ['mbconv3', 'mbconv5', 'skip'], width: [16, 32] }, 'skippy');
/** Once-for-all style: two stages of elastic depth, kernel and expand ratio choices. */
const ofa = createLayersSpace({
  name: 'ofa',
  label: 'ofa',
  stages: [
    { depth: [1, 3], choices: { op: ['mbconv3', 'mbconv5', 'skip'], expand: [3, 6] } },
    { depth: [2, 2], choices: { kernel: [3, 5, 7], expand: [3, 6], width: ['narrow', 'wide'] } },
  ],
});

const keys = (space: LayersSpace) => new Set([...space.enumerate!()].map((a) => space.key(a)));

describe('layers space', () => {
  it('counts 216 architectures for 3 layers x 3 ops x 2 widths, and counts skip once per layer', () => {
    expect(plain.size).toBe(216);
    expect(keys(plain).size).toBe(216);
    expect(skippy.size).toBe(5 ** 3);
    expect(keys(skippy).size).toBe(125);
    // stage 1: depth 1..3 of 2*2+1 = 5 layers; stage 2: depth 2 of 3*2*2 = 12 layers
    expect(ofa.size).toBe((5 + 25 + 125) * 144);
    expect(keys(ofa).size).toBe(ofa.size);
  });

  it('formats readably, parses back, and takes choices in canonical order (op first, then by name)', () => {
    const arch: LayersArch = [[[0, 1], [2, 0], [1, 0]]];
    expect(skippy.format(arch)).toBe('op=mbconv3,width=32 | skip | op=mbconv5,width=16');
    expect(skippy.key(arch)).toBe('op=mbconv3,width=32|skip|op=mbconv5,width=16');
    expect(skippy.parse(' width=32,op=mbconv3 |skip|  op = mbconv5 , width = 16 ')).toEqual(arch);
    expect(skippy.parse('op=mbconv3,width=32 | op=skip | op=mbconv5,width=16')).toEqual(arch);
    expect(skippy.parse('op=mbconv3,width=32 | op=skip,width=32 | op=mbconv5,width=16')).toEqual(arch);
    expect(ofa.stages[1].choices.map((c) => c.name)).toEqual(['expand', 'kernel', 'width']);
    const reordered = createLayersSpace({ name: 'r', label: 'r', stages: [{ depth: [3, 3], choices: { width: [16, 32], op: ['mbconv3', 'mbconv5', 'skip'] } }] });
    expect(reordered.format(arch)).toBe(skippy.format(arch));
    const two = ofa.parse('op=mbconv5,expand=6 | skip || expand=3,kernel=7,width=wide | expand=6,kernel=3,width=narrow');
    expect(two).toEqual([
      [
        [1, 1],
        [2, 0],
      ],
      [
        [0, 2, 1],
        [1, 0, 0],
      ],
    ]);
    expect(ofa.format(two)).toBe('op=mbconv5,expand=6 | skip || expand=3,kernel=7,width=wide | expand=6,kernel=3,width=narrow');
  });

  it('ignores a skip layer\'s other choices in the key, the text and the graph', () => {
    const a: LayersArch = [[[0, 0], [2, 0], [0, 0]]];
    const b: LayersArch = [[[0, 0], [2, 1], [0, 0]]];
    expect(skippy.key(a)).toBe(skippy.key(b));
    expect(skippy.format(a)).toBe(skippy.format(b));
    expect(skippy.toGraph(a)).toEqual(skippy.toGraph(b));
    expect(skippy.key(a)).not.toBe(skippy.key([[[0, 0], [0, 0], [0, 0]]]));
  });

  it('refuses malformed text with a UserError naming the problem', () => {
    const bad: [string, RegExp][] = [
      ['', /empty text/],
      ['op=mbconv3,width=16 | skip', /has 2 layers, expected 3/],
      ['op=mbconv3,width=16 | | skip', /layer 2 is empty/],
      ['op=mbconv3 | skip | skip', /layer 1: missing width/],
      ['op=mbconv3,width=16 | op=conv9,width=16 | skip', /layer 2: op "conv9" is not one of mbconv3, mbconv5, skip/],
      ['op=mbconv3,width=16 | skip | op=mbconv3,width=64', /layer 3: width "64" is not one of 16, 32/],
      ['op=mbconv3,width=16,width=32 | skip | skip', /layer 1: choice width given twice/],
      ['op=mbconv3,width=16,depth=3 | skip | skip', /layer 1: unknown choice "depth": use op, width/],
      ['mbconv3 | skip | skip', /layer 1: expected name=value, got "mbconv3"/],
      ['skip | skip | skip || skip', /2 stages \(separated by \|\|\), expected 1/],
    ];
    for (const [text, why] of bad) {
      expect(() => skippy.parse(text)).toThrow(UserError);
      expect(() => skippy.parse(text)).toThrow(why);
    }
    expect(() => plain.parse('skip | skip | skip')).toThrow(/layer 1: skip is not a value of op/);
    expect(() => ofa.parse('skip || skip | skip')).toThrow(/stage 2 layer 1: skip is not a value of op \(there is no op choice\)/);
    expect(() => ofa.parse('skip | skip | skip | skip || expand=3,kernel=7,width=wide | expand=3,kernel=7,width=wide')).toThrow(/stage 1 has 4 layers, expected 1..3/);
  });

  it('explains invalid architectures', () => {
    expect(skippy.invalidReason([[[0, 0], [0, 0], [0, 0]]])).toBeNull();
    expect(skippy.invalidReason([[[0, 0], [0, 0]]])).toMatch(/has 2 layers: expected 3/);
    expect(skippy.invalidReason([[[0, 0], [0, 0], [0, 5]]])).toMatch(/layer 3 choice width: value index 5 is not in 0..1/);
    expect(skippy.invalidReason([[[0, 0], [0, 0], [0]]])).toMatch(/layer 3 needs a value index for each of its 2 choices/);
    expect(ofa.invalidReason([[[0, 0]]])).toMatch(/2 stages/);
    expect(ofa.invalidReason([[], [[0, 0, 0], [0, 0, 0]]])).toMatch(/stage 1 has 0 layers: expected 1..3/);
  });

  it('encodes a layer as a chain of choice=value nodes, a skip layer as one op=skip node, absent layers as none, stages after the first begin with a stage node', () => {
    expect(skippy.nodeOps).toEqual(['input', 'op=mbconv3', 'op=mbconv5', 'op=skip', 'width=16', 'width=32', 'output']);
    expect(skippy.maxNodes).toBe(2 + 3 * 2);
    const g = skippy.toGraph([[[0, 1], [2, 0], [1, 0]]]);
    expect(Array.from(g.ops)).toEqual([0, 1, 5, 3, 2, 4, 6, -1]);
    expect(g.nodeCount).toBe(7);
    const n = skippy.maxNodes;
    const edges: string[] = [];
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (g.adjacency[i * n + j]) edges.push(`${i}>${j}`);
    expect(edges).toEqual(['0>1', '1>2', '2>3', '3>4', '4>5', '5>6']);

    expect(ofa.nodeOps).toEqual(['input', 'op=mbconv3', 'op=mbconv5', 'op=skip', 'expand=3', 'expand=6', 'kernel=3', 'kernel=5', 'kernel=7', 'width=narrow', 'width=wide', 'stage', 'output']);
    expect(ofa.maxNodes).toBe(2 + 3 * 2 + 2 * 3 + 1);
    const labels = (arch: LayersArch) => {
      const h = ofa.toGraph(arch);
      return Array.from(h.ops.subarray(0, h.nodeCount)).map((o) => ofa.nodeOps[o]);
    };
    expect(labels(ofa.parse('skip || expand=3,kernel=7,width=wide | expand=6,kernel=3,width=narrow'))).toEqual(['input', 'op=skip', 'stage', 'expand=3', 'kernel=7', 'width=wide', 'expand=6', 'kernel=3', 'width=narrow', 'output']);
  });

  it('gives different keys different graphs (the predictor can tell every architecture apart)', () => {
    for (const space of [plain, skippy, ofa]) {
      const graphs = new Map<string, string>();
      for (const arch of space.enumerate!()) {
        const g = space.toGraph(arch);
        const sig = `${Array.from(g.ops).join(',')}`; // chains: the label sequence is the whole graph
        expect(graphs.get(sig) ?? space.key(arch)).toBe(space.key(arch));
        graphs.set(sig, space.key(arch));
      }
      expect(graphs.size).toBe(space.size);
    }
  });

  it('mutates to another key: a layer choice or a stage depth changes', () => {
    const rng = Rng.seeded(4);
    const depths = new Set<number>();
    for (let i = 0; i < 500; i++) {
      const a = ofa.sample(rng);
      const m = ofa.mutate(a, rng);
      expect(ofa.key(m)).not.toBe(ofa.key(a));
      if (m[0].length !== a[0].length) depths.add(m[0].length);
      // a depth change keeps the layers that stay
      for (let l = 0; l < Math.min(a[0].length, m[0].length) && m[0].length !== a[0].length; l++) expect(ofa.format([[m[0][l]], m[1]])).toBe(ofa.format([[a[0][l]], m[1]]));
    }
    expect(depths).toEqual(new Set([1, 2, 3]));
    // only one choice can change: it changes
    const one = flat(2, { op: ['a', 'b'], width: [8] }, 'one');
    for (let i = 0; i < 50; i++) {
      const a = one.sample(rng);
      expect(one.key(one.mutate(a, rng))).not.toBe(one.key(a));
    }
    // a skip layer becomes a non-skip one
    const onlySkip: LayersArch = [[[2, 0], [2, 0], [2, 0]]];
    const m = skippy.mutate(onlySkip, rng);
    expect(m[0].filter((l) => l[0] !== 2)).toHaveLength(1);
  });

  it('crosses over per layer: every child layer is a parent\'s layer at that position', () => {
    const rng = Rng.seeded(9);
    for (let i = 0; i < 300; i++) {
      const a = ofa.sample(rng);
      const b = ofa.sample(rng);
      const c = ofa.crossover(a, b, rng);
      c.forEach((layers, s) => {
        expect([a[s].length, b[s].length]).toContain(layers.length);
        layers.forEach((layer, l) => {
          const text = (x: readonly number[]) => ofa.format(s === 0 ? [[x], c[1]] : [c[0], [x, x]]);
          expect([a[s][l], b[s][l]].filter((p) => p !== undefined).map(text)).toContain(text(layer));
        });
      });
    }
  });

  it('samples every depth and every value, skip at the rate of one op value', () => {
    const rng = Rng.seeded(1);
    const seen = new Set<string>();
    let skips = 0;
    let layers = 0;
    for (let i = 0; i < 3000; i++) {
      const a = ofa.sample(rng);
      seen.add(`d${a[0].length}`);
      for (const layer of a[0]) {
        layers++;
        if (layer[0] === 2) skips++;
        else seen.add(ofa.format([[layer], a[1]]).split(' ||')[0]);
      }
    }
    expect(seen).toEqual(new Set(['d1', 'd2', 'd3', 'op=mbconv3,expand=3', 'op=mbconv3,expand=6', 'op=mbconv5,expand=3', 'op=mbconv5,expand=6']));
    expect(skips / layers).toBeGreaterThan(0.28);
    expect(skips / layers).toBeLessThan(0.39);
  });

  it('refuses impossible definitions when built', () => {
    expect(() => flat(2, { op: ['a'] })).toThrow(/only one architecture/);
    expect(() => flat(2, { op: ['a', 'a'] })).toThrow(/twice/);
    expect(() => flat(2, { op: [8, '8'] })).toThrow(/twice/);
    expect(() => flat(2, {})).toThrow(/at least one choice/);
    expect(() => createLayersSpace({ name: 'x', label: 'x', stages: [{ depth: [3, 2], choices: { op: ['a', 'b'] } }] })).toThrow(/depth/);
    expect(() => createLayersSpace({ name: 'x', label: 'x', stages: [] })).toThrow(/at least one stage/);
  });
});

describe.each([
  ['3 layers, op x width (216)', plain],
  ['3 layers with skip (125)', skippy],
  ['two stages of elastic depth', ofa],
  ['one layer, one choice of numbers', flat(1, { width: [1, 2.5, -3] }, 'nums')],
  [
    'deep and wide (20 layers, 4 choices of 8 values)',
    flat(20, { op: ['skip', 'a', 'b', 'c', 'd', 'e', 'f', 'g'], w: [1, 2, 3, 4, 5, 6, 7, 8], e: [1, 2, 3, 4, 5, 6, 7, 8], k: [1, 2, 3, 4, 5, 6, 7, 8] }, 'big'),
  ],
])('layers space properties: %s', (_name, space) => {
  spaceProperties(space, {
    runs: 100,
    enumerate: 'keys',
    malformed: ['skip', 'a=b=c', ' | ', '||'],
  });
});
