import { dagHash } from '../dag/hash';
import type { Nb101Arch } from './cell';
import { NB101_INNER_OPS } from './ops';

/**
 * NB101's graph hash (nasbench/lib/graph_util.py hash_module) of an already pruned cell: the
 * exact hex string the benchmark uses as its table key. The dag hash with inner vertices
 * labelled by their index in NB101_INNER_OPS.
 */
export function nb101Hash(pruned: Nb101Arch): string {
  return dagHash(pruned, NB101_INNER_OPS);
}
