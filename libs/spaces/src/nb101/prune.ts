/** NB101's ModelSpec pruning, shared with every dag space. */
export { pruneCell, type PrunedCell } from '../dag/prune';
