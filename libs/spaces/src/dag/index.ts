export type { DagArch } from './cell';
export { DAG_INPUT, DAG_OUTPUT } from './cell';
export {
  createDagSpace,
  DAG_MAX_NODES,
  DAG_MAX_OPS,
  DAG_MIN_NODES,
  DAG_NAME_MAX_CHARS,
  type DagSpaceDefinition,
  type DagSpaceOptions,
} from './space';
export { DAG_ENUMERATE_MAX_GRAPHS } from './enumerate';
export { dagHash } from './hash';
