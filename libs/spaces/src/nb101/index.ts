export type { Nb101Arch } from './cell';
export { padToMaxNodes } from './cell';
export { nb101Space } from './space';
export { nb101Hash } from './hash';
export { pruneCell, type PrunedCell } from './prune';
export { NB101_INNER_OPS, NB101_NODE_OPS, NB101_MAX_NODES, NB101_MAX_EDGES } from './ops';
