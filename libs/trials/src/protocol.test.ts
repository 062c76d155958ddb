import { describe, expect, it } from 'vitest';
import { Rng, UserError } from '@dcl-enas/common';
import { declaredSpace, nb101Space, nb201Space, type SearchSpace } from '@dcl-enas/spaces';
import { archJson, checkResultText, parseMetricJson, parseReportJson, protocolPayload } from './protocol';

const input = (arch: string) => ({ trialId: '7', experimentId: 'exp', arch });

describe('archJson', () => {
  it('an NB201 cell: canonical text, key, the graph by op names, cellEdges', () => {
    const space = nb201Space as SearchSpace<unknown>;
    const arch = '|nor_conv_3x3~0|+|none~0|skip_connect~1|+|avg_pool_3x3~0|nor_conv_1x1~1|skip_connect~2|';
    const json = archJson(space, { ...input(`  ${arch} `), params: { epochs: 12 } });
    expect(Object.keys(json)).toEqual(['protocol', 'trialId', 'experimentId', 'arch', 'key', 'graph', 'cellEdges', 'params']);
    expect(json).toMatchObject({ protocol: 1, trialId: '7', experimentId: 'exp', arch, key: space.key(space.parse(arch)), params: { epochs: 12 } });
    expect(json.graph.ops).toEqual(['input', 'nor_conv_3x3', 'none', 'skip_connect', 'avg_pool_3x3', 'nor_conv_1x1', 'skip_connect', 'output']);
    expect(json.graph.edges).toContainEqual([0, 1]);
    expect(json.graph.edges).toContainEqual([6, 7]);
    expect(json['cellEdges']).toEqual([
      { from: 0, to: 1, op: 'nor_conv_3x3' },
      { from: 0, to: 2, op: 'none' },
      { from: 1, to: 2, op: 'skip_connect' },
      { from: 0, to: 3, op: 'avg_pool_3x3' },
      { from: 1, to: 3, op: 'nor_conv_1x1' },
      { from: 2, to: 3, op: 'skip_connect' },
    ]);
  });

  it('a layers space with one stage: choices per present layer, numbers as numbers, padding left out of the graph', () => {
    const space = declaredSpace({ type: 'layers', name: 'mb', layers: 3, choices: { op: ['mbconv3', 'skip'], width: [16, 24], expand: [3, 6] } });
    const json = archJson(space, input('op=mbconv3,expand=6,width=24 | skip | op=mbconv3,expand=3,width=16'));
    expect(json.arch).toBe('op=mbconv3,expand=6,width=24 | skip | op=mbconv3,expand=3,width=16');
    expect(json['choices']).toEqual([{ op: 'mbconv3', expand: 6, width: 24 }, { op: 'skip' }, { op: 'mbconv3', expand: 3, width: 16 }]);
    expect(json.graph.ops).toEqual(['input', 'op=mbconv3', 'expand=6', 'width=24', 'op=skip', 'op=mbconv3', 'expand=3', 'width=16', 'output']);
    expect(json.graph.edges).toHaveLength(8);
    expect(json.params).toEqual({});
  });

  it('a dag space has the graph and no extra fields', () => {
    const space = nb101Space as SearchSpace<unknown>;
    const text = space.format(space.sample(Rng.seeded(3)));
    const json = archJson(space, input(text));
    expect(Object.keys(json)).toEqual(['protocol', 'trialId', 'experimentId', 'arch', 'key', 'graph', 'params']);
    expect(json.graph.ops[0]).toBe('input');
    expect(json.graph.ops.at(-1)).toBe('output');
  });

  it('declaredSpace forwards describe; a declared dag space has none', () => {
    expect(declaredSpace({ type: 'cell', name: 'c', nodes: 2, ops: ['a', 'b'] }).describe!([1])).toEqual({ cellEdges: [{ from: 0, to: 1, op: 'b' }] });
    expect(declaredSpace({ type: 'dag', name: 'd', maxNodes: 4, maxEdges: 4, ops: ['a', 'b'] }).describe).toBeUndefined();
  });

  it('a UserError for text the space does not parse, and for params that are not JSON', () => {
    const space = nb201Space as SearchSpace<unknown>;
    expect(() => archJson(space, input('nope'))).toThrow(UserError);
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(() => archJson(space, { ...input(space.format(space.parse('|none~0|+|none~0|none~1|+|none~0|none~1|none~2|'))), params: cyclic })).toThrow(/params are not JSON/);
  });
});

describe('reports', () => {
  it('parseReportJson takes NaN and Infinity as values, not inside strings', () => {
    expect(parseReportJson('{"a": NaN, "b": -Infinity, "c": Infinity, "d": "NaN", "e": [NaN]}')).toEqual({ a: NaN, b: -Infinity, c: Infinity, d: 'NaN', e: [NaN] });
    expect(parseReportJson('{"x\\"NaN": 1}')).toEqual({ 'x"NaN': 1 });
    expect(() => parseReportJson('{"a": nan}')).toThrow(SyntaxError);
  });

  it('checkResultText: every failure is one line naming the problem', () => {
    const check = (text: string) => checkResultText(text, 'acc', 'result.json');
    expect(check('{"acc": 0.5, "params": 3}')).toEqual({ ok: true, metrics: { acc: 0.5, params: 3 } });
    expect(check('{"acc": 0.5,\n')).toMatchObject({ ok: false, reason: expect.stringMatching(/^malformed JSON in result\.json: [^\n]+$/) });
    expect(check('3')).toEqual({ ok: false, reason: 'result.json is not a JSON object of metrics (got number)' });
    expect(check('null')).toEqual({ ok: false, reason: 'result.json is not a JSON object of metrics (got null)' });
    expect(check('{"acc": NaN}')).toEqual({ ok: false, reason: 'result value "acc" in result.json is NaN, not a finite number' });
    expect(check('{"acc": 1, "x": {"y": 1}}')).toEqual({ ok: false, reason: 'result value "x" in result.json is an object, not a number' });
    expect(check('{"loss": 1}')).toEqual({ ok: false, reason: 'result.json has no "acc" (the objective metric); it has loss' });
  });

  it('a "__proto__" key is a plain metric', () => {
    const r = checkResultText('{"acc": 1, "__proto__": 2}', 'acc', 'result.json');
    expect(r.ok && Object.getPrototypeOf(r.metrics)).toBe(Object.prototype);
    expect(r.ok && Object.keys(r.metrics)).toEqual(['acc', '__proto__']);
  });

  it('parseMetricJson needs a finite step and keeps finite numbers', () => {
    expect(parseMetricJson(' {"step": 4, "acc": 0.5, "loss": NaN, "tag": "x"} ')).toEqual({ step: 4, values: { acc: 0.5 } });
    expect(parseMetricJson('{"acc": 0.5}')).toBeNull();
    expect(parseMetricJson('{"step": "4"}')).toBeNull();
    expect(parseMetricJson('[1]')).toBeNull();
    expect(parseMetricJson('{')).toBeNull();
  });

  it('protocolPayload: the prefix, a blank, then the payload', () => {
    expect(protocolPayload('enas-result {"a": 1}', 'enas-result')).toBe(' {"a": 1}');
    expect(protocolPayload('enas-result\t{}', 'enas-result')).toBe('\t{}');
    expect(protocolPayload('enas-result{}', 'enas-result')).toBeNull();
    expect(protocolPayload('enas-result', 'enas-result')).toBeNull();
    expect(protocolPayload(' enas-result {}', 'enas-result')).toBeNull();
  });
});
