import { Rng } from '@dcl-enas/common';
import type { Observation, PredictorRequest } from '@dcl-enas/search';
import type { SearchSpace } from '@dcl-enas/spaces';
import type { PersistentPredictor, PredictorEngine } from './engine';
import { featureCount, graphFeatures } from './graph-features';
import { choleskySolve } from './linear-algebra';

/** Unlabelled architectures summarised for standardisation when the space is too large to enumerate. */
const SAMPLE_SIZE = 5000;
const ENUMERATE_UP_TO = 20000;
const LAMBDA = 1;

interface Standardiser {
  readonly mean: number[];
  readonly scale: number[];
}

interface RidgeState extends Standardiser {
  readonly format: 'ridge/1';
  readonly weights: number[];
  readonly bias: number;
}

/**
 * Ridge regression on graph features, ranked by predicted accuracy. Its stage 1 ("encoder") is
 * the feature standardisation learned from unlabelled architectures (variant dcl); other
 * variants standardise on the labelled set. Closed-form and deterministic: a fast, exact
 * stand-in for the GNN where the GNN's minutes of training do not fit (tests, load tests).
 */
export const ridgeEngine: PredictorEngine = {
  name: 'ridge',

  encoderKey(_space, request) {
    if (request.variant !== 'dcl') return null;
    return `ridge-${request.space}-s${request.seed}`;
  },

  async pretrain(space, request) {
    if (request.variant !== 'dcl') return null;
    return encodeJson(standardiser(space, unlabelled(space, request.seed)));
  },

  async create(space, request, encoder) {
    const fixed = encoder ? (decodeJson(encoder) as Standardiser) : null;
    const d = featureCount(space);
    return new RidgePredictor(space, request, {
      format: 'ridge/1',
      mean: fixed?.mean ?? new Array(d).fill(0),
      scale: fixed?.scale ?? new Array(d).fill(1),
      weights: new Array(d).fill(0),
      bias: 0,
    }, fixed !== null);
  },

  async restore(space, request, state) {
    const s = decodeJson(state) as RidgeState & { fixedStandardiser: boolean };
    if (s.format !== 'ridge/1' || s.weights.length !== featureCount(space)) throw new Error(`not a ridge predictor state for space ${space.name}`);
    return new RidgePredictor(space, request, s, s.fixedStandardiser);
  },
};

class RidgePredictor<A> implements PersistentPredictor<A> {
  constructor(
    private readonly space: SearchSpace<A>,
    readonly request: PredictorRequest,
    private state: RidgeState,
    private readonly fixedStandardiser: boolean,
  ) {}

  async fit(observations: readonly Observation<A>[]): Promise<void> {
    const rows = observations.map((o) => graphFeatures(this.space, o.arch));
    const st = this.fixedStandardiser ? this.state : standardiser(this.space, rows);
    const d = featureCount(this.space);
    const z = rows.map((r) => standardise(r, st));
    const yMean = observations.length > 0 ? observations.reduce((s, o) => s + o.valAcc, 0) / observations.length : 0;
    const xtx = new Float64Array(d * d);
    const xty = new Float64Array(d);
    for (let r = 0; r < z.length; r++) {
      const x = z[r];
      const y = observations[r].valAcc - yMean;
      for (let i = 0; i < d; i++) {
        if (x[i] === 0) continue;
        xty[i] += x[i] * y;
        for (let j = 0; j < d; j++) xtx[i * d + j] += x[i] * x[j];
      }
    }
    for (let i = 0; i < d; i++) xtx[i * d + i] += LAMBDA;
    const w = choleskySolve(xtx, xty, d);
    this.state = { format: 'ridge/1', mean: [...st.mean], scale: [...st.scale], weights: Array.from(w), bias: yMean };
  }

  async score(archs: readonly A[]): Promise<Float32Array> {
    const out = new Float32Array(archs.length);
    const { weights, bias } = this.state;
    archs.forEach((arch, k) => {
      const z = standardise(graphFeatures(this.space, arch), this.state);
      let s = bias;
      for (let i = 0; i < z.length; i++) s += z[i] * weights[i];
      out[k] = s;
    });
    return out;
  }

  async save(): Promise<Uint8Array> {
    return encodeJson({ ...this.state, fixedStandardiser: this.fixedStandardiser });
  }

  dispose(): void {
    // plain arrays: nothing to release
  }
}

function unlabelled<A>(space: SearchSpace<A>, seed: number): Float64Array[] {
  if (space.enumerate && space.size !== undefined && space.size <= ENUMERATE_UP_TO) return [...space.enumerate()].map((a) => graphFeatures(space, a));
  const rng = Rng.seeded(seed);
  return Array.from({ length: SAMPLE_SIZE }, () => graphFeatures(space, space.sample(rng)));
}

function standardiser(space: SearchSpace<unknown>, rows: readonly Float64Array[]): Standardiser {
  const d = featureCount(space);
  const mean = new Array<number>(d).fill(0);
  const scale = new Array<number>(d).fill(1);
  if (rows.length === 0) return { mean, scale };
  for (const r of rows) for (let i = 0; i < d; i++) mean[i] += r[i];
  for (let i = 0; i < d; i++) mean[i] /= rows.length;
  const sq = new Array<number>(d).fill(0);
  for (const r of rows) for (let i = 0; i < d; i++) sq[i] += (r[i] - mean[i]) ** 2;
  for (let i = 0; i < d; i++) {
    const sd = Math.sqrt(sq[i] / rows.length);
    scale[i] = sd > 1e-12 ? sd : 1;
  }
  return { mean, scale };
}

function standardise(row: Float64Array, st: Standardiser): Float64Array {
  const out = new Float64Array(row.length);
  for (let i = 0; i < row.length; i++) out[i] = (row[i] - st.mean[i]) / st.scale[i];
  return out;
}

function encodeJson(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}

function decodeJson(bytes: Uint8Array): unknown {
  return JSON.parse(new TextDecoder().decode(bytes));
}
