import type { Rng } from '@dcl-enas/common';

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
}
