/** TEST HELPER: dag space definitions and arbitraries for the dag tests (not exported from the library). */
import fc from 'fast-check';
import { NB101_INNER_OPS } from '../nb101/ops';
import type { DagArch } from './cell';
import type { DagSpaceDefinition } from './space';

const names = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

/** Fixed definitions covering the corners of the allowed range. */
export const DEFS: readonly DagSpaceDefinition[] = [
  { name: 'tiny', label: 'Tiny', ops: ['a'], maxNodes: 3, maxEdges: 3 },
  { name: 'tiny-2', label: 'Tiny-2', ops: ['a', 'b'], maxNodes: 3, maxEdges: 2 },
  { name: 'four', label: 'Four', ops: ['conv', 'pool', 'id'], maxNodes: 4, maxEdges: 6 },
  { name: 'five', label: 'Five', ops: ['x', 'y'], maxNodes: 5, maxEdges: 6 },
  { name: 'nb101-like', label: 'NB101-like', ops: NB101_INNER_OPS, maxNodes: 7, maxEdges: 9 },
  { name: 'mid', label: 'Mid', ops: names('m', 4), maxNodes: 9, maxEdges: 12 },
  { name: 'sparse', label: 'Sparse', ops: names('s', 3), maxNodes: 12, maxEdges: 2 },
  { name: 'wide', label: 'Wide', ops: names('op', 16), maxNodes: 12, maxEdges: 66 },
];

/** Any definition the schema allows, except maxEdges 1 (a single-cell space: nothing to mutate to). */
export const definition: fc.Arbitrary<DagSpaceDefinition> = fc
  .record({
    maxNodes: fc.integer({ min: 3, max: 12 }),
    edgeShare: fc.double({ min: 0, max: 1, noNaN: true }),
    opCount: fc.integer({ min: 1, max: 16 }),
  })
  .map(({ maxNodes, edgeShare, opCount }) => {
    const slots = (maxNodes * (maxNodes - 1)) / 2;
    const maxEdges = 2 + Math.round(edgeShare * (slots - 2));
    return { name: `r${maxNodes}-${maxEdges}-${opCount}`, label: `R${maxNodes}/${maxEdges}/${opCount}`, ops: names('o', opCount), maxNodes, maxEdges };
  });

export const seed = fc.integer({ min: 0, max: 2 ** 31 - 1 });

/** The cell with inner vertex v moved to position order[v] (input and output fixed): any relabelling, upper-triangular or not. */
export function relabel(arch: DagArch, order: readonly number[]): DagArch {
  const n = arch.ops.length;
  const at = [0, ...order, n - 1];
  const matrix = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const ops = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    ops[at[i]] = arch.ops[i];
    for (let j = 0; j < n; j++) matrix[at[i]][at[j]] = arch.matrix[i][j];
  }
  return { matrix, ops };
}
