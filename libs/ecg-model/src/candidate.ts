import { Rng } from '@dcl-enas/common';
import type { EcgArch } from '@dcl-enas/spaces';
import { buildBaselineNetwork } from './baseline';
import { buildCellNetwork, DEFAULT_MACRO, type MacroConfig } from './cell-network';
import { RR_INPUTS, type EcgData } from './ecg-data';
import type { ClassificationMetrics } from './metrics';
import type { EcgNet, NetInput } from './net';
import { evaluatePart, trainNetwork, type TrainConfig, type TrainReport } from './trainer';
import { Weights } from './weights';

/** A searched cell in the macro network, or the hand-designed baseline. */
export type EcgModelSpec = { readonly kind: 'cell'; readonly arch: EcgArch; readonly macro?: MacroConfig } | { readonly kind: 'baseline' };

export function netInput(data: Pick<EcgData, 'windowLength' | 'classes'>): NetInput {
  return { windowLength: data.windowLength, rrFeatures: RR_INPUTS, classes: data.classes };
}

/** Builds the network with weights drawn from `seed`. */
export function buildEcgNet(spec: EcgModelSpec, input: NetInput, seed: number): EcgNet {
  const weights = new Weights(Rng.seeded(seed));
  return spec.kind === 'baseline' ? buildBaselineNetwork(weights, input) : buildCellNetwork(weights, spec.arch, input, spec.macro ?? DEFAULT_MACRO);
}

export interface CandidateResult {
  readonly parameters: number;
  readonly train: TrainReport;
  /** Full DS1 hold-out, best epoch's weights; macroF1 over the selection classes. */
  readonly holdout: ClassificationMetrics;
  /** DS2, macro-F1 over all five classes; null when not asked for. */
  readonly test: ClassificationMetrics | null;
  /** Wall seconds of the whole candidate (training, hold-out and DS2 scoring). */
  readonly seconds: number;
}

/**
 * Trains one network under `config` and scores it on the hold-out, then on DS2 when `withTest`
 * says so (it may look at the hold-out figures, never the other way round).
 */
export function trainCandidate(spec: EcgModelSpec, data: EcgData, config: TrainConfig, withTest: boolean | ((holdout: ClassificationMetrics) => boolean)): CandidateResult {
  const started = performance.now();
  const net = buildEcgNet(spec, netInput(data), config.seed);
  try {
    const train = trainNetwork(net, data, config);
    const holdout = evaluatePart(net, data.holdout, data.classes, config.selectionClasses);
    const test = (typeof withTest === 'function' ? withTest(holdout) : withTest) ? evaluatePart(net, data.test, data.classes) : null;
    return { parameters: net.weights.parameterCount, train, holdout, test, seconds: (performance.now() - started) / 1000 };
  } finally {
    net.weights.dispose();
  }
}
