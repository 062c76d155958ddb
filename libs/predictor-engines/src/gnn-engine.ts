import { ArchPredictor, encoderFingerprint, pretrainedEncoder, usesPretraining, variantConfig, type ConfigOverrides, type PretrainedEncoder, type Variant } from '@dcl-enas/predictor';
import type { Observation, PredictorRequest } from '@dcl-enas/search';
import type { SearchSpace } from '@dcl-enas/spaces';
import { initTf, tf } from '@dcl-enas/tf-backend';
import type { PersistentPredictor, PredictorEngine } from './engine';

export interface GnnEngineOptions {
  /** Config patches (tests and benchmarks use small ones); none for the published presets. */
  readonly config?: ConfigOverrides;
  /** Seed of stage 1, fixed as in embedded mode so one encoder serves every search seed. */
  readonly pretrainSeed?: number;
  /** Stage-1 disk cache shared with embedded mode (null: none); default ENAS_CACHE_DIR or ~/.cache/dcl-enas. */
  readonly cacheDir?: string | null;
}

/**
 * The contrastive graph predictor of libs/predictor as an engine: stage 1 through `pretrain`
 * (the encoder service), stage 2 as ArchPredictor fit-then-refresh, exactly as the embedded
 * in-process predictors do it, with state saved and restored through ArchPredictor.save/load.
 */
export function gnnEngine(options: GnnEngineOptions = {}): PredictorEngine {
  const pretrainSeed = options.pretrainSeed ?? 0;
  const config = (request: PredictorRequest) => variantConfig(request.variant as Variant, options.config);
  return {
    name: 'gnn',

    encoderKey(space, request) {
      const cfg = config(request);
      if (!usesPretraining(cfg.variant)) return null;
      return `gnn-${space.name}-${encoderFingerprint(space, cfg, pretrainSeed)}`;
    },

    async pretrain(space, request) {
      const cfg = config(request);
      if (!usesPretraining(cfg.variant)) return null;
      await initTf();
      const encoder = await pretrainedEncoder(space, cfg, { seed: pretrainSeed, cacheDir: options.cacheDir });
      try {
        const { data, specs } = await tf.io.encodeWeights(Object.fromEntries(encoder.weights));
        return pack({ fingerprint: encoder.fingerprint, space: encoder.space, seconds: encoder.seconds, specs }, new Uint8Array(data));
      } finally {
        tf.dispose([...encoder.weights.values()]);
      }
    },

    async create(space, request, encoderBytes) {
      const cfg = config(request);
      let encoder: PretrainedEncoder | undefined;
      if (usesPretraining(cfg.variant)) {
        if (!encoderBytes) throw new Error(`variant ${cfg.variant} needs a pre-trained encoder`);
        await initTf();
        const { header, body } = unpack(encoderBytes);
        const h = header as { fingerprint: string; space: string; seconds: number; specs: tf.io.WeightsManifestEntry[] };
        const weights = tf.io.decodeWeights(body.slice().buffer, h.specs);
        encoder = { space: h.space, fingerprint: h.fingerprint, seconds: h.seconds, weights: new Map(Object.entries(weights)) };
      }
      const predictor = await ArchPredictor.create(space, { variant: cfg.variant, seed: request.seed, config: options.config, encoder, cacheDir: null });
      return new GnnPredictor(space, predictor);
    },

    /**
     * Replays the saved fit history on a fresh predictor. ArchPredictor.save/load keeps the
     * weights but not the pre-trained encoder that later refreshes use (warm-up, auxiliary
     * contrast), so a loaded predictor would refresh differently from the embedded one; a
     * replay is exact by construction. Replicas keep live predictors, so a replay is the
     * exception (a replica that did not do the previous fit).
     */
    async restore(space, request, state, encoder) {
      const saved = JSON.parse(new TextDecoder().decode(state)) as SavedHistory;
      if (saved.format !== HISTORY_FORMAT || saved.space !== space.name) throw new Error(`not a gnn predictor history for space ${space.name}`);
      const predictor = await this.create(space, request, encoder);
      const labelled = saved.labelled.map((o) => ({ arch: space.parse(o.arch), key: o.key, valAcc: o.valAcc }));
      for (const n of saved.fits) await predictor.fit(labelled.slice(0, n));
      return predictor;
    },
  };
}

const HISTORY_FORMAT = 'gnn-history/1';

interface SavedHistory {
  readonly format: typeof HISTORY_FORMAT;
  readonly space: string;
  /** Labelled set size at each fit call, in order. */
  readonly fits: number[];
  readonly labelled: { arch: string; key: string; valAcc: number }[];
}

class GnnPredictor<A> implements PersistentPredictor<A> {
  private readonly fits: number[] = [];
  private labelled: readonly Observation<A>[] = [];

  constructor(
    private readonly space: SearchSpace<A>,
    private readonly p: ArchPredictor<A>,
  ) {}

  /** The first fit sees every label; later ones refresh with the labels added since, as embedded mode does. */
  async fit(observations: readonly Observation<A>[]): Promise<void> {
    const fitted = this.p.labelledCount;
    const fresh = observations.slice(fitted);
    if (fitted === 0) await this.p.fit(fresh.map((o) => o.arch), fresh.map((o) => o.valAcc));
    else if (fresh.length > 0) await this.p.refresh(fresh.map((o) => o.arch), fresh.map((o) => o.valAcc));
    this.fits.push(observations.length);
    this.labelled = observations.slice();
  }

  async score(archs: readonly A[]): Promise<Float32Array> {
    return this.p.score(archs);
  }

  async save(): Promise<Uint8Array> {
    const history: SavedHistory = {
      format: HISTORY_FORMAT,
      space: this.space.name,
      fits: this.fits,
      labelled: this.labelled.map((o) => ({ arch: this.space.format(o.arch), key: o.key, valAcc: o.valAcc })),
    };
    return new TextEncoder().encode(JSON.stringify(history));
  }

  dispose(): void {
    this.p.dispose();
  }
}

/** [4-byte header length][JSON header][body]: one object in the object store. */
function pack(header: unknown, body: Uint8Array): Uint8Array {
  const h = Buffer.from(JSON.stringify(header));
  const out = Buffer.alloc(4 + h.length + body.length);
  out.writeUInt32LE(h.length, 0);
  h.copy(out, 4);
  Buffer.from(body.buffer, body.byteOffset, body.byteLength).copy(out, 4 + h.length);
  return out;
}

function unpack(bytes: Uint8Array): { header: unknown; body: Uint8Array } {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = buf.readUInt32LE(0);
  return { header: JSON.parse(buf.subarray(4, 4 + n).toString('utf8')), body: new Uint8Array(buf.subarray(4 + n)) };
}
