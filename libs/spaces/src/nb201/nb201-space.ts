import { CELL_EDGES, createCellSpace, type CellArch } from '../cell/cell-space';

/** Edge operations, in NAS-Bench-201's own order. */
export const NB201_OPS = ['none', 'skip_connect', 'nor_conv_1x1', 'nor_conv_3x3', 'avg_pool_3x3'] as const;
export type Nb201Op = (typeof NB201_OPS)[number];

/** A NAS-Bench-201 cell: the op index (into NB201_OPS) on each of the 6 edges. */
export type Nb201Arch = CellArch;

export const NB201_EDGES = CELL_EDGES;
export const NB201_SIZE = NB201_OPS.length ** 6;

/** NAS-Bench-201: 5 ops on 6 edges, 15,625 cells, string form `|op~0|+|op~0|op~1|+|op~0|op~1|op~2|`. */
export const nb201Space = createCellSpace({
  name: 'nb201',
  label: 'NAS-Bench-201',
  ops: NB201_OPS,
  symbols: ['none', 'skip', 'c1', 'c3', 'ap'],
  semantics: { none: 0, skip: 1 },
});

export const nb201Format = (arch: Nb201Arch): string => nb201Space.format(arch);
export const nb201Parse = (text: string): Nb201Arch => nb201Space.parse(text);
export const nb201Index = (arch: Nb201Arch): number => nb201Space.indexOf(arch);
export const nb201FromIndex = (index: number): Nb201Arch => nb201Space.fromIndex(index);
