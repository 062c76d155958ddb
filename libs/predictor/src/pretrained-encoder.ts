import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Rng, UserError } from '@dcl-enas/common';
import type { SearchSpace } from '@dcl-enas/spaces';
import { fileSystemHandler, tf } from '@dcl-enas/tf-backend';
import { encodersNeeded, type PredictorConfig } from './config';
import { ENCODER_PREFIX, initEncoder } from './encoder';
import { codecFor } from './graph-codec';
import { disposeAll, Params } from './params';
import { PROJECTION_PREFIX, pretrain, unlabelledGraphs, type EpochReport } from './pretrain';

/** Stage-1 encoder weights for one space, with what produced them. */
export interface PretrainedEncoder {
  readonly space: string;
  /** Identifies the space's graph format, config and seed; equal fingerprints mean equal weights. */
  readonly fingerprint: string;
  readonly weights: ReadonlyMap<string, tf.Tensor>;
  readonly seconds: number;
}

export interface PretrainOptions {
  readonly seed: number;
  /** Where stage-1 results are kept between runs; null disables the cache. */
  readonly cacheDir?: string | null;
  readonly log?: (line: string) => void;
}

/** ENAS_CACHE_DIR, else ~/.cache/dcl-enas. */
export const defaultCacheDir = (env: NodeJS.ProcessEnv = process.env): string => env['ENAS_CACHE_DIR'] || join(homedir(), '.cache', 'dcl-enas');

/**
 * The stage-1 cache key. A declared space brings its canonical definition (`canonical`), so two
 * declared spaces of one name but different ops, sizes or choices never share an encoder; the
 * built-in spaces' keys stay what they were.
 */
export function encoderFingerprint(space: Pick<SearchSpace, 'name' | 'maxNodes' | 'nodeOps'> & { readonly canonical?: string }, cfg: PredictorConfig, seed: number): string {
  // How many encoders a predictor uses does not change any one of them.
  const { encoders: _count, ...pretrain } = cfg.pretrain;
  const definition = space.canonical === undefined ? {} : { definition: space.canonical };
  const what = JSON.stringify({ v: 2, space: space.name, ...definition, maxNodes: space.maxNodes, nodeOps: space.nodeOps, encoder: cfg.encoder, prune: cfg.prune, pretrain, seed });
  return createHash('sha256').update(what).digest('hex').slice(0, 16);
}

/**
 * Stage 1 for `space` under `seed`: loaded from the cache when this exact configuration ran
 * before (no labels are involved, so one pre-training serves every later fine-tuning), else
 * trained now and cached.
 */
export async function pretrainedEncoder<A>(space: SearchSpace<A>, cfg: PredictorConfig, options: PretrainOptions): Promise<PretrainedEncoder> {
  const fingerprint = encoderFingerprint(space, cfg, options.seed);
  const cacheDir = options.cacheDir === undefined ? defaultCacheDir() : options.cacheDir;
  const dir = cacheDir === null ? null : join(cacheDir, `encoder-${space.name}-${fingerprint}`);
  if (dir && existsSync(join(dir, 'model.json'))) {
    // A damaged cache entry (a crash or a full disk while it was written) is trained again and overwritten.
    let artifacts: tf.io.ModelArtifacts | null = null;
    try {
      artifacts = await fileSystemHandler(dir).load();
    } catch (e) {
      options.log?.(`stage 1: ignoring the cached encoder: ${(e as Error).message}`);
    }
    const meta = (artifacts?.modelTopology ?? {}) as { fingerprint?: string; seconds?: number };
    if (artifacts && meta.fingerprint === fingerprint && artifacts.weightData && artifacts.weightSpecs) {
      options.log?.(`stage 1: cached encoder ${dir}`);
      const weights = new Map(Object.entries(tf.io.decodeWeights(artifacts.weightData, artifacts.weightSpecs)));
      return { space: space.name, fingerprint, weights, seconds: meta.seconds ?? 0 };
    }
  }
  const encoder = trainEncoder(space, cfg, options.seed, (r) => options.log?.(`stage 1 epoch ${r.epoch + 1}/${cfg.pretrain.epochs}: loss ${r.loss.toFixed(4)} (${r.seconds.toFixed(1)} s)`));
  if (dir) {
    const { data, specs } = await tf.io.encodeWeights(Object.fromEntries(encoder.weights));
    await fileSystemHandler(dir).save({ modelTopology: { fingerprint, space: space.name, seconds: encoder.seconds }, weightSpecs: specs, weightData: data });
  }
  return encoder;
}

/** The encoders a predictor of `cfg` starts from: stage-1 seeds `seed`, `seed + 1`, ... (each cached). */
export async function pretrainedEncoders<A>(space: SearchSpace<A>, cfg: PredictorConfig, options: PretrainOptions): Promise<PretrainedEncoder[]> {
  const encoders: PretrainedEncoder[] = [];
  for (let k = 0; k < encodersNeeded(cfg); k++) encoders.push(await pretrainedEncoder(space, cfg, { ...options, seed: options.seed + k }));
  return encoders;
}

/** Runs stage 1 now (no cache). */
export function trainEncoder<A>(space: SearchSpace<A>, cfg: PredictorConfig, seed: number, onEpoch?: (r: EpochReport) => void): PretrainedEncoder {
  const start = performance.now();
  const codec = codecFor(space);
  const rng = Rng.seeded(seed);
  const graphs = unlabelledGraphs(space, codec, cfg, rng.fork());
  if (graphs.length < 2) throw new UserError(`space ${space.name} yields fewer than 2 distinct architectures; nothing to pre-train on`);
  const params = new Params();
  initEncoder(params, cfg.encoder, codec.opCount, rng.fork());
  pretrain(params, cfg, codec, graphs, rng.fork(), onEpoch);
  const weights = new Map([...params.snapshot(ENCODER_PREFIX), ...params.snapshot(PROJECTION_PREFIX)]);
  params.dispose();
  return { space: space.name, fingerprint: encoderFingerprint(space, cfg, seed), weights, seconds: (performance.now() - start) / 1000 };
}

export const disposeEncoder = (e: PretrainedEncoder): void => disposeAll(e.weights);
