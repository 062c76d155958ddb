import { createCellSpace, type CellArch } from '../cell/cell-space';

/**
 * Edge operations of the ECG-1D cell (our design, docs/ecg-space.md): 1-D convolutions
 * (ReLU-Conv-BN, as NAS-Bench-201's nor_conv) of kernel 3/5/7/9, a dilated conv (kernel 3,
 * dilation 2: receptive field 5), a depthwise-separable conv (kernel 5), max and average
 * pooling (size 3, stride 1, same padding), identity and zero.
 */
export const ECG_OPS = ['none', 'skip_connect', 'conv_3', 'conv_5', 'conv_7', 'conv_9', 'dil_conv_3', 'sep_conv_5', 'max_pool_3', 'avg_pool_3'] as const;
export type EcgOp = (typeof ECG_OPS)[number];

/** An ECG-1D cell: the op index (into ECG_OPS) on each of the 6 edges of a 4-node cell. */
export type EcgArch = CellArch;

/** 10 ops on 6 edges: 1,000,000 cells, the same 4-node cell shape as NAS-Bench-201. */
export const ecgSpace = createCellSpace({
  name: 'ecg',
  label: 'ECG-1D',
  ops: ECG_OPS,
  symbols: ['none', 'skip', 'c3', 'c5', 'c7', 'c9', 'd3', 's5', 'mp', 'ap'],
  semantics: { none: 0, skip: 1 },
});
