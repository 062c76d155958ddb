import type { GraphCodec, WorkGraph } from './graph-codec';

/**
 * The "hard" encoding of an architecture: how many input-to-output paths carry each sequence
 * of interior ops. Sequences up to `maxLen` ops are indexed exactly (length-major, then
 * base-k digits); `maxLen` is the longest whose vocabulary fits `maxSize`, which covers every
 * path of NB201 (at most 3 ops) and NB101 (at most 5).
 */
export interface PathVocab {
  readonly maxLen: number;
  readonly size: number;
  /** op id -> digit (position among the interior ops), -1 for others. */
  readonly digit: readonly number[];
}

export function pathVocab(codec: GraphCodec, maxSize = 512): PathVocab {
  const k = codec.interiorOps.length;
  let maxLen = 0;
  let size = 1;
  while (maxLen < codec.maxNodes - 2 && size + k ** (maxLen + 1) <= maxSize) {
    maxLen++;
    size += k ** maxLen;
  }
  const digit = Array.from({ length: codec.opCount }, (_, op) => codec.interiorOps.indexOf(op));
  return { maxLen, size, digit };
}

/** Path counts of one graph (log1p-scaled), written into `out` at `offset`. */
export function writePathCounts(g: WorkGraph, codec: GraphCodec, vocab: PathVocab, out: Float32Array, offset: number): void {
  const n = codec.maxNodes;
  const k = codec.interiorOps.length;
  const counts = new Map<number, number>();
  const last = g.nodeCount - 1;
  const walk = (node: number, len: number, code: number) => {
    for (let j = 0; j < g.nodeCount; j++) {
      if (!g.adjacency[node * n + j]) continue;
      if (j === last) {
        let base = 0;
        for (let l = 0; l < len; l++) base += k ** l;
        const idx = base + code;
        counts.set(idx, (counts.get(idx) ?? 0) + 1);
      } else if (len < vocab.maxLen && vocab.digit[g.ops[j]] >= 0) {
        walk(j, len + 1, code * k + vocab.digit[g.ops[j]]);
      }
    }
  };
  walk(0, 0, 0);
  for (const [idx, c] of counts) out[offset + idx] = Math.log1p(c);
}

export function pathFeatures(graphs: readonly WorkGraph[], codec: GraphCodec, vocab: PathVocab): Float32Array {
  const out = new Float32Array(graphs.length * vocab.size);
  graphs.forEach((g, i) => writePathCounts(g, codec, vocab, out, i * vocab.size));
  return out;
}
