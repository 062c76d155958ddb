import { createHash } from 'node:crypto';
import type { Nb101Arch } from './cell';
import { NB101_INNER_OPS, NB101_INPUT_LABEL, NB101_OUTPUT_LABEL } from './ops';

const md5 = (text: string): string => createHash('md5').update(text, 'utf8').digest('hex');

/**
 * NB101's graph hash (nasbench/lib/graph_util.py hash_module) of an already pruned cell: the
 * exact hex string the benchmark uses as its table key. The strings fed to md5 reproduce
 * Python's str() of the tuples and lists the reference hashes.
 */
export function nb101Hash(pruned: Nb101Arch): string {
  const { matrix, ops } = pruned;
  const n = ops.length;
  const labels = ops.map((op, v) => {
    if (v === 0) return NB101_INPUT_LABEL;
    if (v === n - 1) return NB101_OUTPUT_LABEL;
    return (NB101_INNER_OPS as readonly string[]).indexOf(op);
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
