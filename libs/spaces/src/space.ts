import { UserError, type Rng } from '@dcl-enas/common';

/** Longest architecture text any space parses (the longest real one, an NB101 cell, is about 240). */
export const ARCH_TEXT_MAX_CHARS = 4096;

/** `text` for an error message: quoted, escaped to one line, cut to `max` characters. */
export function quoteInput(text: string, max = 120): string {
  return JSON.stringify(text.length > max ? `${text.slice(0, max - 3)}...` : text);
}

/** Refuses architecture text over ARCH_TEXT_MAX_CHARS before any parsing (a UserError naming the size). */
export function checkArchTextSize(text: string, label: string): void {
  if (typeof text !== 'string') throw new UserError(`${label} architecture must be a string, got ${typeof text}`);
  if (text.length > ARCH_TEXT_MAX_CHARS) throw new UserError(`${label} architecture text of ${text.length} characters is too long (at most ${ARCH_TEXT_MAX_CHARS}): ${quoteInput(text, 60)}`);
}

/**
 * An architecture as a node-op DAG, padded to the space's `maxNodes` (SPEC 2.1).
 * Node 0 is the input, node `nodeCount - 1` the output; padding nodes have op -1 and no edges.
 */
export interface ArchGraph {
  readonly nodeCount: number;
  /** maxNodes x maxNodes, row-major; adjacency[i * maxNodes + j] = 1 for an edge i -> j. */
  readonly adjacency: Uint8Array;
  /** Index into the space's `nodeOps` for each node; -1 for padding. Length maxNodes. */
  readonly ops: Int8Array;
}

/** An architecture's graph as people and trial commands read it: node ops by name, padding left out, edges as [from, to]. */
export interface NamedGraph {
  readonly ops: readonly string[];
  readonly edges: readonly (readonly [number, number])[];
}

/** `space.toGraph(arch)` as a NamedGraph (arch.json's `graph`, `enas space check`'s samples). */
export function namedGraph<A>(space: SearchSpace<A>, arch: A): NamedGraph {
  const g = space.toGraph(arch);
  const ops: string[] = [];
  const edges: [number, number][] = [];
  for (let i = 0; i < g.nodeCount; i++) ops.push(space.nodeOps[g.ops[i]]);
  for (let i = 0; i < g.nodeCount; i++) for (let j = 0; j < g.nodeCount; j++) if (g.adjacency[i * space.maxNodes + j]) edges.push([i, j]);
  return { ops, edges };
}

/** Every search space offers the same operations, so predictors and strategies work unchanged. */
export interface SearchSpace<A = unknown> {
  readonly name: string;
  /** Graph size every `toGraph` result is padded to. */
  readonly maxNodes: number;
  /** Node label vocabulary for one-hot encoding, including input and output. */
  readonly nodeOps: readonly string[];
  /** Number of distinct architectures where the space is finite. */
  readonly size?: number;

  sample(rng: Rng): A;
  /** A valid neighbour that differs from `arch`. */
  mutate(arch: A, rng: Rng): A;
  /** A valid child mixing both parents. */
  crossover(a: A, b: A, rng: Rng): A;
  isValid(arch: A): boolean;
  /** Why `arch` is invalid, or null when it is valid. */
  invalidReason(arch: A): string | null;
  /** Canonical, isomorphism-invariant id, used for dedup, caching and table lookup. */
  key(arch: A): string;
  toGraph(arch: A): ArchGraph;
  /** Human-readable, round-trippable form. */
  format(arch: A): string;
  /** Inverse of `format`; throws UserError naming the problem on malformed input. */
  parse(text: string): A;
  /** Every architecture, where the space is finite. */
  enumerate?(): Iterable<A>;
  /**
   * Space-specific fields a trial's arch.json carries besides the graph (trial protocol v1,
   * docs/trials.md), plain JSON: `{cellEdges}` for cell spaces, `{choices}` for layers spaces.
   */
  describe?(arch: A): Record<string, unknown>;
}
