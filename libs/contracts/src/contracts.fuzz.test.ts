import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { stringify as toYaml } from 'yaml';
import { z } from 'zod';
import {
  ContractError,
  ExperimentEvent,
  ExperimentSpec,
  FitReply,
  FitRequest,
  LIMITS,
  PretrainRequest,
  RankReply,
  RankRequest,
  TrialRequest,
  decode,
  parseExperimentSpec,
} from './index';

/**
 * Property and fuzz tests of the experiment spec and every NATS payload (issue 9): valid input
 * round-trips; an unknown field, a missing field or a bad value is refused with one ContractError
 * naming the field; nothing else is ever thrown. docs/results/reliability.md reports these counts.
 */
export const RUNS = { specRoundTrip: 300, specMutation: 500, specText: 500, payloadRoundTrip: 200, payloadMutation: 300, payloadAnything: 300 } as const;

const token = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);
const name = fc.stringMatching(/^[a-z0-9-]{1,20}$/);
const arch = fc.string({ minLength: 1, maxLength: 60 });
const key = fc.string({ minLength: 1, maxLength: 40 });
const nat = fc.nat({ max: 1_000_000 });
const finite = fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 });
const iso = fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
const ref = fc.record({ bucket: name, name: key, size: nat });
const inlineOrRef = <T>(inner: fc.Arbitrary<T>) => fc.oneof(fc.record({ inline: inner }), fc.record({ ref }));

const spec = fc.record(
  {
    apiVersion: fc.constant('enas/v1' as const),
    kind: fc.constant('Experiment' as const),
    name: fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,46}[a-z0-9])?$/),
    space: name,
    dataset: name,
    strategy: name,
    seed: fc.integer({ min: 0, max: 2147483647 }),
    queries: fc.integer({ min: 1, max: 100000 }),
    batchSize: fc.integer({ min: 1, max: LIMITS.batchTrials }),
  },
  { requiredKeys: ['apiVersion', 'kind', 'space', 'dataset', 'strategy', 'queries'] },
);

const trialToken = fc.stringMatching(/^[0-9a-f]{32}$/);
const outcome = fc.record({ valAcc: finite, testAcc: fc.option(finite, { nil: null }), trainSeconds: fc.option(fc.double({ min: 0, max: 1e6, noNaN: true }), { nil: null }) });
const event = fc.oneof(
  fc.record({ type: fc.constant('created'), experimentId: token, spec: spec.map((s) => ({ seed: 0, batchSize: 1, ...s })), at: iso }),
  fc.record({ type: fc.constant('proposed'), batch: nat, trials: fc.array(fc.record({ index: nat, arch, key, token: trialToken }), { minLength: 1, maxLength: 5 }) }),
  fc.record({ type: fc.constant('result'), index: nat, key, token: trialToken, outcome: fc.option(outcome, { nil: null }), trainer: fc.string(), attempt: fc.integer({ min: 1, max: 100 }), at: iso }),
  fc.record({ type: fc.constant('stop'), reason: fc.string(), at: iso }),
  fc.record({ type: fc.constant('ended'), status: fc.constantFrom('completed', 'stopped', 'failed'), at: iso }),
);
const session = fc.record({ id: token, space: name, variant: name, seed: fc.integer() });

/** Each contract with an arbitrary of valid values. */
const PAYLOADS: [string, z.ZodType, fc.Arbitrary<unknown>][] = [
  ['TrialRequest', TrialRequest, fc.record({ experimentId: token, index: nat, space: name, dataset: name, arch, key, token: trialToken })],
  ['FitRequest', FitRequest, fc.record({ session, version: fc.integer({ min: 1, max: 1000 }), previous: fc.option(ref, { nil: null }), observations: inlineOrRef(fc.array(fc.record({ arch, key, valAcc: finite }), { maxLength: 5 })) })],
  ['RankRequest', RankRequest, fc.record({ session, model: fc.option(ref, { nil: null }), archs: inlineOrRef(fc.array(arch, { minLength: 1, maxLength: 5 })) })],
  ['PretrainRequest', PretrainRequest, fc.record({ space: name, engine: name, variant: name, seed: fc.integer() })],
  ['FitReply', FitReply, fc.record({ model: ref, cached: fc.boolean(), seconds: fc.double({ min: 0, max: 1e6, noNaN: true }) })],
  ['RankReply', RankReply, fc.record({ scores: inlineOrRef(fc.array(finite, { maxLength: 5 })), seconds: fc.double({ min: 0, max: 1e6, noNaN: true }) })],
  ['ExperimentEvent', ExperimentEvent, event],
];

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Paths (arrays of keys) of every object member in `value`, outermost first. */
function memberPaths(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [];
  const entries: [string | number, Json][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  return entries.flatMap(([k, v]) => [...(Array.isArray(value) ? [] : [[...prefix, k]]), ...memberPaths(v, [...prefix, k])]);
}

/** Objects (by path) inside `value`, the root included. */
function objectPaths(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [];
  const entries: [string | number, Json][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  return [...(Array.isArray(value) ? [] : [prefix]), ...entries.flatMap(([k, v]) => objectPaths(v, [...prefix, k]))];
}

function at(value: Json, path: (string | number)[]): Json {
  return path.reduce<Json>((v, k) => (v as Record<string | number, Json>)[k], value);
}

type Mutation = { kind: 'drop' | 'replace'; path: (string | number)[]; with?: unknown } | { kind: 'extra'; path: (string | number)[]; field: string; with: unknown };

const badValue = fc.oneof(fc.anything(), fc.constant('x'.repeat(LIMITS.archChars + 1)), fc.constant(-1), fc.constant(1e300), fc.constant(Number.NaN), fc.constant(''));

/** A valid value and one mutation of it: a member dropped, a member's value replaced, or an unknown member added. */
function mutated(valid: fc.Arbitrary<unknown>): fc.Arbitrary<{ value: Json; mutation: Mutation }> {
  return valid.chain((v) => {
    const value = JSON.parse(JSON.stringify(v)) as Json;
    const members = memberPaths(value);
    const objects = objectPaths(value);
    return fc.oneof(
      fc.record({ kind: fc.constant('drop' as const), path: fc.constantFrom(...members) }),
      fc.record({ kind: fc.constant('replace' as const), path: fc.constantFrom(...members), with: badValue }),
      fc.record({ kind: fc.constant('extra' as const), path: fc.constantFrom(...objects), field: fc.string({ minLength: 1, maxLength: 12 }), with: fc.jsonValue() }),
    ).map((mutation) => ({ value, mutation: mutation as Mutation }));
  });
}

/**
 * Every property name the contracts declare: an added member of one of these names may be a
 * known optional field (a random 'name' at the root of a spec is the spec's name), not an unknown one.
 */
const DECLARED = new Set<string>();
function collectDeclared(schema: unknown): void {
  if (Array.isArray(schema)) schema.forEach(collectDeclared);
  else if (schema !== null && typeof schema === 'object') {
    const properties = (schema as { properties?: Record<string, unknown> }).properties;
    if (properties && typeof properties === 'object') Object.keys(properties).forEach((k) => DECLARED.add(k));
    Object.values(schema).forEach(collectDeclared);
  }
}
for (const schema of [ExperimentSpec, ExperimentEvent, TrialRequest, FitRequest, FitReply, RankRequest, RankReply, PretrainRequest]) {
  collectDeclared(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }));
}

function apply(value: Json, m: Mutation): unknown {
  const copy = structuredClone(value);
  if (m.kind === 'extra') {
    const target = at(copy, m.path) as Record<string, unknown>;
    if (m.field in target || DECLARED.has(m.field)) return null; // not an unknown member: skipped by the caller
    target[m.field] = m.with;
    return copy;
  }
  const parent = at(copy, m.path.slice(0, -1)) as Record<string | number, unknown>;
  const last = m.path[m.path.length - 1];
  if (m.kind === 'drop') delete parent[last];
  else parent[last] = m.with;
  return copy;
}

/** Decodes; returns the error after checking it is a one-line ContractError starting with `what: `. */
function decodeOrContractError(schema: z.ZodType, value: unknown, what: string): { ok: unknown } | { error: ContractError } {
  try {
    return { ok: decode(schema, value, what) };
  } catch (e) {
    if (!(e instanceof ContractError)) throw new Error(`decode threw ${(e as Error)?.name}: ${(e as Error)?.message}`);
    expect(e.message.startsWith(`${what}: `)).toBe(true);
    expect(e.message).not.toMatch(/[\r\n\u2028\u2029]/);
    expect(e.message.length).toBeLessThan(800);
    return { error: e };
  }
}

/** The field path a ContractError names: the text between `what: ` and the next `: `. */
function reportedPath(error: ContractError, what: string): string {
  const rest = error.message.slice(what.length + 2);
  return rest.slice(0, rest.indexOf(': '));
}

const pathText = (path: (string | number)[]) => (path.length === 0 ? '(root)' : path.join('.'));

/**
 * The reported field is the mutated one, or on its path: a union reports at the union (e.g.
 * `observations` for a bad `observations.inline.0.arch`), a replaced object at its first bad
 * member (e.g. `model.bucket` for `model: {}`), an unknown member at the object holding it.
 */
function related(reported: string, mutated: (string | number)[]): boolean {
  const segments = (p: string) => (p === '(root)' ? [] : p.split('.'));
  const a = segments(reported);
  const b = mutated.map(String);
  const n = Math.min(a.length, b.length);
  return a.slice(0, n).join('.') === b.slice(0, n).join('.');
}

describe('experiment spec (fuzzed)', () => {
  it(`valid specs parse from JSON and from YAML to the same value, defaults filled (${RUNS.specRoundTrip} cases)`, () => {
    fc.assert(
      fc.property(spec, (s) => {
        const fromJson = parseExperimentSpec(JSON.stringify(s), 'spec.json');
        const fromYaml = parseExperimentSpec(toYaml(s), 'spec.yaml');
        expect(fromYaml).toEqual(fromJson);
        expect(fromJson).toEqual({ seed: 0, batchSize: 1, ...s });
        expect(parseExperimentSpec(JSON.stringify(fromJson))).toEqual(fromJson);
      }),
      { numRuns: RUNS.specRoundTrip },
    );
  });

  it(`an unknown field, a missing required field or a bad value is refused naming the field (${RUNS.specMutation} cases)`, () => {
    let refused = 0;
    fc.assert(
      fc.property(mutated(spec), ({ value, mutation }) => {
        const input = apply(value, mutation);
        if (input === null) return;
        const result = decodeOrContractError(ExperimentSpec, input, 'spec');
        if ('ok' in result) {
          // only a drop of an optional field or a replacement that happens to be valid may pass
          expect(mutation.kind).not.toBe('extra');
          return;
        }
        refused++;
        const reported = reportedPath(result.error, 'spec');
        if (mutation.kind === 'extra') {
          expect(reported).toBe(pathText(mutation.path));
          expect(result.error.message).toContain('Unrecognized key');
          // eslint-disable-next-line no-control-regex
          if (!/[\u0000-\u001f\u2028\u2029]/.test(mutation.field)) expect(result.error.message).toContain(mutation.field);
        } else expect(related(reported, mutation.path)).toBe(true);
      }),
      { numRuns: RUNS.specMutation },
    );
    expect(refused).toBeGreaterThan(RUNS.specMutation / 2);
  });

  it(`arbitrary text is a spec or one ContractError, never another exception (${RUNS.specText} cases)`, () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 400 }),
      fc.json({ maxDepth: 3 }),
      spec.map((s) => toYaml(s)).chain((y) => fc.nat({ max: y.length }).map((cut) => y.slice(0, cut))),
      fc.constantFrom('a: &a [*a]', 'a: !!binary x', '- - - -', '{', 'a: b: c', '--- |\n  x', 'a: &x 1\nb: *y', `x: ${'['.repeat(2000)}`),
    );
    fc.assert(
      fc.property(text, (t) => {
        try {
          const parsed = parseExperimentSpec(t, 'fuzz.yaml');
          expect(ExperimentSpec.safeParse(parsed).success).toBe(true);
        } catch (e) {
          if (!(e instanceof ContractError)) throw new Error(`parseExperimentSpec threw ${(e as Error)?.name}: ${(e as Error)?.message}`);
          expect(e.message.startsWith('fuzz.yaml')).toBe(true);
          expect(e.message).not.toMatch(/[\r\n]/);
        }
      }),
      { numRuns: RUNS.specText },
    );
  });

  it(`refuses a spec over ${LIMITS.specBytes} bytes and names over ${LIMITS.nameChars} characters`, () => {
    const valid = 'apiVersion: enas/v1\nkind: Experiment\nspace: nb201\ndataset: cifar10\nstrategy: rea\nqueries: 5\n';
    expect(() => parseExperimentSpec(valid + `# ${'x'.repeat(LIMITS.specBytes)}\n`, 'big.yaml')).toThrow(new RegExp(`^big\\.yaml is \\d+ bytes: a spec may be at most ${LIMITS.specBytes} bytes`));
    expect(() => parseExperimentSpec(valid.replace('nb201', 'n'.repeat(LIMITS.nameChars + 1)), 's')).toThrow(/^s: space: Too big/);
  });
});

describe.each(PAYLOADS.map(([n, schema, valid]) => [n, schema, valid] as const))('%s payloads (fuzzed)', (what, schema, valid) => {
  it(`valid payloads survive the wire: JSON encode, decode (${RUNS.payloadRoundTrip} cases)`, () => {
    fc.assert(
      fc.property(valid, (v) => {
        const wire = JSON.parse(JSON.stringify(v)) as unknown;
        expect(decode(schema, wire, what)).toEqual(wire);
      }),
      { numRuns: RUNS.payloadRoundTrip },
    );
  });

  it(`an unknown member anywhere, a missing member or a bad value is refused naming the member (${RUNS.payloadMutation} cases)`, () => {
    fc.assert(
      fc.property(mutated(valid), ({ value, mutation }) => {
        const input = apply(value, mutation);
        if (input === null) return;
        const result = decodeOrContractError(schema, input, what);
        if ('ok' in result) {
          expect(mutation.kind).not.toBe('extra');
          return;
        }
        expect(related(reportedPath(result.error, what), mutation.path)).toBe(true);
      }),
      { numRuns: RUNS.payloadMutation },
    );
  });

  it(`any value at all decodes or gives one ContractError (${RUNS.payloadAnything} cases)`, () => {
    fc.assert(
      fc.property(fc.anything({ withNullPrototype: true, withMap: true, withSet: true, withBigInt: true, withDate: true, withTypedArray: true, withSparseArray: true }), (v) => {
        decodeOrContractError(schema, v, what);
      }),
      { numRuns: RUNS.payloadAnything },
    );
  });
});
