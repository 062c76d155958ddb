import { Rng, UserError } from '@dcl-enas/common';
import { ContractError, decode, SpecSpace } from '@dcl-enas/contracts';
import { distinctKeys, namedGraph, type NamedGraph } from '@dcl-enas/spaces';
import { problemFor } from './problems';

/** Spaces up to this many architectures are enumerated to count their distinct keys. */
export const COUNT_KEYS_UP_TO = 2_000_000;

export interface SpaceSample {
  readonly arch: string;
  readonly key: string;
  /** The node-op DAG the predictor sees: ops by name, edges as [from, to]. */
  readonly graph: NamedGraph;
}

export interface SpaceReport {
  readonly name: string;
  readonly type: string;
  /** Distinct architecture keys where the space is finite and they can be counted; null otherwise. */
  readonly size: number | null;
  /** Architectures the space enumerates (for a cell space, cells, of which several may share a key); null where infinite or unknown. */
  readonly architectures: number | null;
  readonly samples: readonly SpaceSample[];
}

/**
 * What `enas space check` prints: a space's type, its size (distinct keys: counted by
 * enumerating it where it is finite and at most COUNT_KEYS_UP_TO architectures; beyond that
 * the space's own count where it enumerates one architecture per key, as dag and layers spaces
 * do, and NB101 knows its own), and a few seeded samples.
 */
export function spaceReport(space: SpecSpace, options: { samples: number; seed: number }): SpaceReport {
  const problem = problemFor(space);
  const s = problem.space;
  const counted = distinctKeys(s, COUNT_KEYS_UP_TO);
  const onePerKey = problem.spaceType !== 'cell';
  const size = counted ?? (onePerKey ? (s.size ?? null) : null);
  const rng = Rng.seeded(options.seed);
  const samples: SpaceSample[] = [];
  for (let i = 0; i < options.samples; i++) {
    const arch = s.sample(rng);
    samples.push({ arch: s.format(arch), key: s.key(arch), graph: namedGraph(s, arch) });
  }
  return { name: problem.name, type: problem.spaceType, size, architectures: s.size ?? null, samples };
}

/**
 * The space of a spec file or a space file, already parsed from YAML/JSON: an experiment spec
 * (kind: Experiment) gives its `space`; anything else is the space itself, a declared space's
 * definition or `{space: ...}`. One UserError naming the field.
 */
export function spaceOfDocument(doc: unknown, source: string): SpecSpace {
  const record = typeof doc === 'object' && doc !== null && !Array.isArray(doc) ? (doc as Record<string, unknown>) : null;
  const raw = record && 'space' in record && !('type' in record) ? record['space'] : doc;
  try {
    return decode(SpecSpace, raw, record && 'space' in record && !('type' in record) ? `${source}: space` : source);
  } catch (e) {
    if (e instanceof ContractError) throw new UserError(e.message);
    throw e;
  }
}
