/** NAS-Bench-101 vocabulary and limits (google-research/nasbench, nasbench/lib/config.py). */
export const NB101_INPUT = 'input';
export const NB101_OUTPUT = 'output';

/**
 * The operations allowed on inner vertices, in NB101's own `available_ops` order. The graph hash
 * labels an inner vertex by its index in this list, so the order is part of the hash.
 */
export const NB101_INNER_OPS = ['conv3x3-bn-relu', 'conv1x1-bn-relu', 'maxpool3x3'] as const;
export type Nb101InnerOp = (typeof NB101_INNER_OPS)[number];

/** One-hot vocabulary for `toGraph`. */
export const NB101_NODE_OPS = [NB101_INPUT, 'conv1x1-bn-relu', 'conv3x3-bn-relu', 'maxpool3x3', NB101_OUTPUT] as const;

export const NB101_MAX_NODES = 7;
export const NB101_MAX_EDGES = 9;

/** Hash labels NB101 gives the input and output vertices. */
export const NB101_INPUT_LABEL = -1;
export const NB101_OUTPUT_LABEL = -2;

export function isInnerOp(op: unknown): op is Nb101InnerOp {
  return typeof op === 'string' && (NB101_INNER_OPS as readonly string[]).includes(op);
}
