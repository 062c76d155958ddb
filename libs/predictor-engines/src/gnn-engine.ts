import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArchPredictor, encoderFingerprint, encodersNeeded, mergeOverrides, pretrainedEncoder, SEARCH_SCHEDULE, usesPretraining, variantConfig, type ConfigOverrides, type PretrainedEncoder, type Variant } from '@dcl-enas/predictor';
import { UserError } from '@dcl-enas/common';
import type { Observation, PredictorRequest } from '@dcl-enas/search';
import type { SearchSpace } from '@dcl-enas/spaces';
import { initTf, tf } from '@dcl-enas/tf-backend';
import type { PersistentPredictor, PredictorEngine } from './engine';

export interface GnnEngineOptions {
  /** Patches over the search schedule (tests and benchmarks use small models); none for the defaults. */
  readonly config?: ConfigOverrides;
  /** Seed of stage 1, fixed as in embedded mode so one encoder serves every search seed. */
  readonly pretrainSeed?: number;
  /** Stage-1 disk cache shared with embedded mode (null: none); default ENAS_CACHE_DIR or ~/.cache/dcl-enas. */
  readonly cacheDir?: string | null;
}

/**
 * The contrastive graph predictor of libs/predictor as an engine: stage 1 through `pretrain`
 * (the encoder service), stage 2 as ArchPredictor fit-then-refresh, exactly as the embedded
 * in-process predictors do it (SEARCH_SCHEDULE), with state saved and restored through
 * ArchPredictor.save/load.
 */
export function gnnEngine(options: GnnEngineOptions = {}): PredictorEngine {
  const pretrainSeed = options.pretrainSeed ?? 0;
  const overrides = mergeOverrides(SEARCH_SCHEDULE, options.config);
  const config = (request: PredictorRequest) => variantConfig(request.variant as Variant, overrides);
  const needed = encodersNeeded(variantConfig('dcl', overrides));
  if (needed > 1) throw new UserError(`the predictor service starts every member from one pre-trained encoder, but this config needs ${needed} (ensemble > 1 with pretrain.encoders > 1): set one of them to 1`);
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
      const predictor = await ArchPredictor.create(space, { variant: cfg.variant, seed: request.seed, config: overrides, encoders: encoder ? [encoder] : undefined, cacheDir: null });
      return new GnnPredictor(space, predictor);
    },

    /**
     * A live predictor of the session a few fits behind (`base`) catches up by fitting the
     * missing steps, exactly as it would have; otherwise the saved weights are loaded
     * (ArchPredictor.save/load). The saved fit history travels along for the next catch-up.
     */
    async restore(space, _request, state, _encoder, base) {
      const { header, body } = unpack(state);
      const saved = header as SavedState;
      if (saved.format !== STATE_FORMAT || saved.space !== space.name) throw new Error(`not a gnn predictor state for space ${space.name}`);
      const labelled = saved.labelled.map((o) => ({ arch: space.parse(o.arch), key: o.key, valAcc: o.valAcc }));
      const done = base instanceof GnnPredictor ? base.fitHistory : null;
      if (base && done !== null && done.length <= saved.fits.length && done.every((n, i) => n === saved.fits[i])) {
        for (const n of saved.fits.slice(done.length)) await base.fit(labelled.slice(0, n));
        return base;
      }
      base?.dispose();
      await initTf();
      const dir = mkdtempSync(join(tmpdir(), 'enas-gnn-'));
      try {
        let at = 0;
        for (const [name, size] of Object.entries(saved.files)) {
          writeFileSync(join(dir, name), body.subarray(at, at + size));
          at += size;
        }
        return new GnnPredictor(space, await ArchPredictor.load(dir, space), saved.fits, labelled);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

const STATE_FORMAT = 'gnn-state/1';

interface SavedState {
  readonly format: typeof STATE_FORMAT;
  readonly space: string;
  /** Labelled set size at each fit call, in order. */
  readonly fits: number[];
  readonly labelled: { arch: string; key: string; valAcc: number }[];
  /** ArchPredictor.save's files: name and size, in body order. */
  readonly files: Record<string, number>;
}

class GnnPredictor<A> implements PersistentPredictor<A> {
  private readonly fits: number[];
  private labelled: readonly Observation<A>[];

  constructor(
    private readonly space: SearchSpace<A>,
    private readonly p: ArchPredictor<A>,
    fits: readonly number[] = [],
    labelled: readonly Observation<A>[] = [],
  ) {
    this.fits = [...fits];
    this.labelled = labelled;
  }

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

  /** Labelled-set size at each fit so far. */
  get fitHistory(): readonly number[] {
    return this.fits;
  }

  async save(): Promise<Uint8Array> {
    const dir = mkdtempSync(join(tmpdir(), 'enas-gnn-'));
    try {
      await this.p.save(dir);
      const names = readdirSync(dir).sort();
      const files = names.map((n) => readFileSync(join(dir, n)));
      const state: SavedState = {
        format: STATE_FORMAT,
        space: this.space.name,
        fits: this.fits,
        labelled: this.labelled.map((o) => ({ arch: this.space.format(o.arch), key: o.key, valAcc: o.valAcc })),
        files: Object.fromEntries(names.map((n, i) => [n, files[i].length])),
      };
      return pack(state, Buffer.concat(files));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
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
