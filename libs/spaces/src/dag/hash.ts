import { createHash } from 'node:crypto';
import type { DagArch } from './cell';

/** Hash labels of the input and output vertices (NB101's). */
export const DAG_INPUT_LABEL = -1;
export const DAG_OUTPUT_LABEL = -2;

const md5 = (text: string): string => createHash('md5').update(text, 'utf8').digest('hex');

/**
 * NB101's graph hash (nasbench/lib/graph_util.py hash_module) of an already pruned cell, with an
 * inner vertex labelled by the index of its op in `innerOps` (input -1, output -2). Iterated md5
 * over in/out degrees and neighbour hashes, so it does not depend on how the inner vertices are
 * numbered. With `innerOps` = NB101_INNER_OPS it is the exact hex string NB101 uses as its table
 * key: the strings fed to md5 reproduce Python's str() of the tuples and lists the reference hashes.
 */
export function dagHash(pruned: DagArch, innerOps: readonly string[]): string {
  const { matrix, ops } = pruned;
  const n = ops.length;
  const labels = ops.map((op, v) => {
    if (v === 0) return DAG_INPUT_LABEL;
    if (v === n - 1) return DAG_OUTPUT_LABEL;
    return innerOps.indexOf(op);
  });
  let hashes = labels.map((label, v) => {
    let inDegree = 0;
    let outDegree = 0;
    for (let w = 0; w < n; w++) {
      inDegree += matrix[w][v];
      outDegree += matrix[v][w];
    }
    return md5(`(${outDegree}, ${inDegree}, ${label})`);
  });
  for (let round = 0; round < n; round++) {
    const previous = hashes;
    hashes = previous.map((own, v) => {
      const inbound: string[] = [];
      const outbound: string[] = [];
      for (let w = 0; w < n; w++) {
        if (matrix[w][v]) inbound.push(previous[w]);
        if (matrix[v][w]) outbound.push(previous[w]);
      }
      return md5(`${inbound.sort().join('')}|${outbound.sort().join('')}|${own}`);
    });
  }
  return md5(`[${hashes.sort().map((h) => `'${h}'`).join(', ')}]`);
}
