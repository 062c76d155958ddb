import { UserError } from '@dcl-enas/common';
import { CELL_EDGES, ECG_OPS, type EcgArch, type EcgOp } from '@dcl-enas/spaces';
import { tf } from '@dcl-enas/tf-backend';
import { batchNorm, conv, fullyConnected, pool, relu, separableConv, sequence, type Layer, type Pass } from './layers';
import type { EcgNet, NetInput } from './net';
import type { Weights } from './weights';

/** The macro network around the searched cell (docs/ecg-space.md). */
export interface MacroConfig {
  /** Channels of the stem and of stage 1; each later stage doubles them. */
  readonly channels: number;
  /** Stages, one cell each; a reduction block halves the length between stages. */
  readonly stages: number;
  readonly stemKernel: number;
  /** Width of the hidden layer of the classifier, where the RR features join. */
  readonly hidden: number;
}

/** Sized for CPU training of many candidates: 256 -> 128 -> 64 -> 32 samples, 8/16/32 channels. */
export const DEFAULT_MACRO: MacroConfig = { channels: 8, stages: 3, stemKernel: 7, hidden: 32 };

/** The layer an edge op becomes at `channels` channels (ReLU-conv-BN for the convolutions, as NAS-Bench-201). */
function edgeLayer(w: Weights, name: string, op: EcgOp, channels: number): Layer | null {
  const convBn = (kernel: number, dilation = 1) => sequence(relu, conv(w, `${name}/conv`, channels, channels, { kernel, dilation }), batchNorm(w, `${name}/bn`, channels));
  switch (op) {
    case 'none':
      return null;
    case 'skip_connect':
      return (x) => x;
    case 'conv_3':
      return convBn(3);
    case 'conv_5':
      return convBn(5);
    case 'conv_7':
      return convBn(7);
    case 'conv_9':
      return convBn(9);
    case 'dil_conv_3':
      return convBn(3, 2);
    case 'sep_conv_5':
      return sequence(relu, separableConv(w, `${name}/sep`, channels, 5), batchNorm(w, `${name}/bn`, channels));
    case 'max_pool_3':
      return pool('max', 3, 1, 'same');
    case 'avg_pool_3':
      return pool('avg', 3, 1, 'same');
  }
}

/**
 * Edges that can change the cell's output: the source is reached from the input and the
 * target reaches the output through non-`none` edges. Other edges are not built (they would
 * only add parameters that never receive a gradient).
 */
export function liveEdges(arch: EcgArch): boolean[] {
  const none = ECG_OPS.indexOf('none');
  const reached = [true, false, false, false];
  for (let e = 0; e < CELL_EDGES.length; e++) {
    const [from, to] = CELL_EDGES[e];
    if (arch[e] !== none && reached[from]) reached[to] = true;
  }
  const reaches = [false, false, false, true];
  for (let e = CELL_EDGES.length - 1; e >= 0; e--) {
    const [from, to] = CELL_EDGES[e];
    if (arch[e] !== none && reaches[to]) reaches[from] = true;
  }
  return CELL_EDGES.map(([from, to], e) => arch[e] !== none && reached[from] && reaches[to]);
}

/** One cell: node j is the sum of its live incoming edges; node 3 is the output (zeros when no edge is live). */
export function cellLayer(w: Weights, name: string, arch: EcgArch, channels: number): Layer {
  const live = liveEdges(arch);
  const edges = CELL_EDGES.map(([from, to], e) => ({ from, to, layer: live[e] ? edgeLayer(w, `${name}/e${e}`, ECG_OPS[arch[e]], channels) : null }));
  return (x, pass) => {
    const nodes: (tf.Tensor3D | null)[] = [x, null, null, null];
    for (const { from, to, layer } of edges) {
      const src = nodes[from];
      if (!layer || !src) continue;
      const y = layer(src, pass);
      nodes[to] = nodes[to] ? (tf.add(nodes[to]!, y) as tf.Tensor3D) : y;
    }
    return nodes[3] ?? (tf.zerosLike(x) as tf.Tensor3D);
  };
}

/**
 * Stem (conv k7 + BN + ReLU, max-pool /2), then `stages` cells with a reduction block between
 * stages (ReLU, conv k3 doubling the channels, BN, max-pool /2), global average pooling, and a
 * classifier whose hidden layer also takes the RR features.
 */
export function buildCellNetwork(w: Weights, arch: EcgArch, input: NetInput, macro: MacroConfig = DEFAULT_MACRO): EcgNet {
  if (input.windowLength % 2 ** macro.stages !== 0) {
    throw new UserError(`window length ${input.windowLength} cannot be halved ${macro.stages} times: use a multiple of ${2 ** macro.stages}`);
  }
  const layers: Layer[] = [conv(w, 'stem/conv', 1, macro.channels, { kernel: macro.stemKernel }), batchNorm(w, 'stem/bn', macro.channels), relu, pool('max', 2, 2, 'valid')];
  let c = macro.channels;
  for (let s = 0; s < macro.stages; s++) {
    layers.push(cellLayer(w, `cell${s}`, arch, c));
    if (s < macro.stages - 1) {
      layers.push(relu, conv(w, `reduce${s}/conv`, c, 2 * c, { kernel: 3 }), batchNorm(w, `reduce${s}/bn`, 2 * c), pool('max', 2, 2, 'valid'));
      c *= 2;
    }
  }
  const body = sequence(...layers, relu);
  const hidden = fullyConnected(w, 'head/hidden', c + input.rrFeatures, macro.hidden);
  const out = fullyConnected(w, 'head/out', macro.hidden, input.classes);
  return {
    weights: w,
    forward(x: tf.Tensor3D, rr: tf.Tensor2D, pass: Pass): tf.Tensor2D {
      const features = tf.mean(body(x, pass), 1) as tf.Tensor2D;
      const joined = input.rrFeatures > 0 ? (tf.concat([features, rr], 1) as tf.Tensor2D) : features;
      return out(tf.relu(hidden(joined)));
    },
  };
}
