import { Rng, UserError } from '@dcl-enas/common';
import type { SearchSpace } from '@dcl-enas/spaces';
import { fileSystemHandler, initTf, tf } from '@dcl-enas/tf-backend';
import { encodersNeeded, variantConfig, type ConfigOverrides, type PredictorConfig, type Variant } from './config';
import { embeddingSize, ENCODER_PREFIX, initEncoder, initHead } from './encoder';
import { finetune, SCORE_PREFIX, scoreGraphs, type FinetuneReport } from './finetune';
import { codecFor, type GraphCodec, type WorkGraph } from './graph-codec';
import { disposeAll, Params } from './params';
import { PROJECTION_PREFIX, toWorkGraph, unlabelledGraphs } from './pretrain';
import { pretrainedEncoders, type PretrainedEncoder } from './pretrained-encoder';

export interface PredictorOptions {
  readonly variant?: Variant;
  readonly seed?: number;
  readonly config?: ConfigOverrides;
  /**
   * Stage-1 weights to start from (dcl): member k starts from encoders[k mod n]; at least
   * `encodersNeeded(config)` of them. Pre-trained (stage-1 seeds seed, seed + 1, ...) when absent.
   */
  readonly encoders?: readonly PretrainedEncoder[];
  /** Stage-1 cache directory (null: no cache). */
  readonly cacheDir?: string | null;
  readonly log?: (line: string) => void;
}

const FORMAT = 'dcl-enas-predictor';
const FORMAT_VERSION = 1;

interface SavedTopology {
  readonly format: string;
  readonly version: number;
  readonly space: string;
  readonly maxNodes: number;
  readonly nodeOps: readonly string[];
  readonly config: PredictorConfig;
  readonly seed: number;
  readonly fitCount: number;
  readonly labelled: { readonly archs: string[]; readonly accs: number[] };
}

/**
 * The ranking predictor the search uses: `fit` on trained architectures, `refresh` with more,
 * `score` any number of candidates (higher = predicted better). An ensemble of
 * `finetune.ensemble` members, each fine-tuned with its own held-out slice; scores are the
 * mean of the members' scores, each standardised by its spread over the labelled set (fixed
 * between calls, so scores of separate calls compare). Deterministic under `seed`.
 */
export class ArchPredictor<A> {
  private readonly codec: GraphCodec;
  private members: Params[] = [];
  /** Per member: mean and std of its scores on the labelled set, to put members on one scale. */
  private scales: { mean: number; std: number }[] = [];
  private labelledArchs: A[] = [];
  private labelledAccs: number[] = [];
  private fitCount = 0;
  private unlabelledCache: WorkGraph[] | null = null;

  private constructor(
    readonly space: SearchSpace<A>,
    readonly config: PredictorConfig,
    readonly seed: number,
    /** Stage-1 weights per encoder (member k starts from initial[k mod n]); empty without stage 1. */
    private readonly initial: readonly ReadonlyMap<string, tf.Tensor>[],
  ) {
    this.codec = codecFor(space);
  }

  static async create<A>(space: SearchSpace<A>, options: PredictorOptions = {}): Promise<ArchPredictor<A>> {
    await initTf({ log: options.log });
    const config = variantConfig(options.variant ?? 'dcl', options.config);
    const seed = options.seed ?? 0;
    const needed = encodersNeeded(config);
    const encoders = needed === 0 ? [] : (options.encoders ?? (await pretrainedEncoders(space, config, { seed, cacheDir: options.cacheDir, log: options.log })));
    if (encoders.length < needed) throw new UserError(`this predictor config needs ${needed} pre-trained encoders (ensemble ${config.finetune.ensemble}, pretrain.encoders ${config.pretrain.encoders}) but ${encoders.length} were given`);
    for (const encoder of encoders) {
      if (encoder.space !== space.name) throw new UserError(`pre-trained encoder is for space "${encoder.space}", not "${space.name}": pre-train one for ${space.name}`);
    }
    return new ArchPredictor(space, config, seed, encoders.slice(0, needed).map((e) => e.weights));
  }

  get labelledCount(): number {
    return this.labelledArchs.length;
  }

  /** Starts afresh from the pre-trained (or random) encoder and fine-tunes on these labels. */
  async fit(archs: readonly A[], accs: readonly number[]): Promise<FinetuneReport[]> {
    checkLabels(archs, accs);
    this.disposeMembers();
    this.labelledArchs = archs.slice();
    this.labelledAccs = accs.slice();
    const rng = this.callRng();
    this.members = Array.from({ length: this.config.finetune.ensemble }, (_, k) => this.newMember(rng.fork(), k));
    return this.train(this.config.finetune.epochs, rng);
  }

  /** Adds labels and fine-tunes further from the current weights (`fit` first when never fitted). */
  async refresh(moreArchs: readonly A[], moreAccs: readonly number[]): Promise<FinetuneReport[]> {
    checkLabels(moreArchs, moreAccs);
    if (this.members.length === 0) return this.fit(moreArchs, moreAccs);
    this.labelledArchs.push(...moreArchs);
    this.labelledAccs.push(...moreAccs);
    return this.train(this.config.finetune.refreshEpochs, this.callRng());
  }

  /** Predicted ranking scores (higher is better), one per architecture, in one batched pass per chunk. */
  score(archs: readonly A[]): Float32Array {
    if (this.members.length === 0) throw new Error('ArchPredictor.score called before fit');
    const graphs = archs.map((a) => this.graph(a));
    if (this.members.length === 1) return scoreGraphs(this.members[0], this.config, this.codec, graphs);
    const total = new Float32Array(archs.length);
    this.members.forEach((member, k) => {
      const s = scoreGraphs(member, this.config, this.codec, graphs);
      const { mean, std } = this.scales[k];
      for (let i = 0; i < s.length; i++) total[i] += (s[i] - mean) / std / this.members.length;
    });
    return total;
  }

  async save(dir: string): Promise<void> {
    const named: Record<string, tf.Tensor> = {};
    this.members.forEach((m, k) => {
      for (const [name, v] of m.vars) named[`m${k}/${name}`] = v;
    });
    const { data, specs } = await tf.io.encodeWeights(named);
    const topology: SavedTopology = {
      format: FORMAT,
      version: FORMAT_VERSION,
      space: this.space.name,
      maxNodes: this.space.maxNodes,
      nodeOps: this.space.nodeOps,
      config: this.config,
      seed: this.seed,
      fitCount: this.fitCount,
      labelled: { archs: this.labelledArchs.map((a) => this.space.format(a)), accs: this.labelledAccs },
    };
    await fileSystemHandler(dir).save({ modelTopology: topology, weightSpecs: specs, weightData: data, format: FORMAT });
  }

  /** Loads a saved predictor; refuses one trained for another space. */
  static async load<A>(dir: string, space: SearchSpace<A>, options: { log?: (line: string) => void } = {}): Promise<ArchPredictor<A>> {
    await initTf({ log: options.log });
    let artifacts: tf.io.ModelArtifacts;
    try {
      artifacts = await fileSystemHandler(dir).load();
    } catch (e) {
      throw new UserError(`cannot load a predictor from ${dir}: ${(e as Error).message}; save one there first`);
    }
    const topo = artifacts.modelTopology as Partial<SavedTopology> | undefined;
    if (!topo || topo.format !== FORMAT) throw new UserError(`${dir} does not hold a DCL-ENAS predictor (format "${topo?.format}"); point at a directory written by ArchPredictor.save`);
    if (topo.version !== FORMAT_VERSION) throw new UserError(`${dir} holds predictor format version ${topo.version}; this build reads version ${FORMAT_VERSION}: retrain it`);
    if (topo.space !== space.name) {
      throw new UserError(`the predictor in ${dir} was trained for space "${topo.space}", not "${space.name}": load it with --space ${topo.space} or train one for ${space.name}`);
    }
    if (topo.maxNodes !== space.maxNodes || JSON.stringify(topo.nodeOps) !== JSON.stringify(space.nodeOps)) {
      throw new UserError(`the predictor in ${dir} was trained on a different ${space.name} graph format (nodes/ops changed): retrain it`);
    }
    const saved = topo as SavedTopology;
    const predictor = new ArchPredictor(space, saved.config, saved.seed, []);
    const weights = tf.io.decodeWeights(artifacts.weightData as ArrayBuffer, artifacts.weightSpecs ?? []);
    for (let k = 0; k < saved.config.finetune.ensemble; k++) {
      const member = predictor.newMember(Rng.seeded(0), k);
      const prefix = `m${k}/`;
      if (Object.keys(weights).some((n) => n.startsWith(prefix + PROJECTION_PREFIX))) {
        initHead(member, PROJECTION_PREFIX, embeddingSize(saved.config.encoder), saved.config.encoder.hidden, saved.config.pretrain.projection, Rng.seeded(0));
      }
      member.restore(new Map(Object.entries(weights).filter(([n]) => n.startsWith(prefix)).map(([n, t]) => [n.slice(prefix.length), t])));
      predictor.members.push(member);
    }
    tf.dispose(Object.values(weights));
    predictor.labelledArchs = saved.labelled.archs.map((s) => space.parse(s));
    predictor.labelledAccs = saved.labelled.accs.slice();
    predictor.fitCount = saved.fitCount;
    predictor.measureScales();
    return predictor;
  }

  dispose(): void {
    this.disposeMembers();
  }

  private disposeMembers(): void {
    for (const m of this.members) m.dispose();
    this.members = [];
  }

  /** A fresh member: pre-trained (or seeded random) encoder plus a new score head. */
  private newMember(rng: Rng, index: number): Params {
    const p = new Params();
    initEncoder(p, this.config.encoder, this.codec.opCount, rng);
    const initial = this.initial.length > 0 ? this.initial[index % this.initial.length] : null;
    if (initial) {
      if (this.config.finetune.auxWeight > 0) initHead(p, PROJECTION_PREFIX, embeddingSize(this.config.encoder), this.config.encoder.hidden, this.config.pretrain.projection, rng);
      const wanted = (n: string) => n.startsWith(ENCODER_PREFIX) || (this.config.finetune.auxWeight > 0 && n.startsWith(PROJECTION_PREFIX));
      p.restore(new Map([...initial].filter(([n]) => wanted(n))));
    }
    initHead(p, SCORE_PREFIX, embeddingSize(this.config.encoder), this.config.finetune.headHidden, 1, rng);
    return p;
  }

  /**
   * Fine-tunes every member with early stopping on its own held-out slice. With `refit`, that
   * pass only decides how long to train: each member then restarts from its weights before the
   * pass and trains on every label for the median of the members' best epoch counts.
   */
  private train(epochs: number, rng: Rng): FinetuneReport[] {
    const graphs = this.labelledArchs.map((a) => this.graph(a));
    const unlabelled = this.unlabelled();
    const ft = this.config.finetune;
    const before = ft.refit ? this.members.map((m) => m.snapshot()) : [];
    const warmup = this.initial.length > 0 ? ft.warmupEpochs : 0;
    const reports = this.members.map((m) => finetune(m, this.config, this.codec, graphs, this.labelledAccs, epochs, rng.fork(), unlabelled, ft.holdout, warmup));
    if (ft.refit && reports.some((r) => r.holdoutSize > 0)) {
      const best = reports.map((r) => r.bestEpoch + 1).sort((a, b) => a - b);
      const chosen = Math.max(ft.minEpochs, best[Math.floor(best.length / 2)]);
      this.members.forEach((m, k) => {
        m.restore(before[k]);
        const refit = finetune(m, this.config, this.codec, graphs, this.labelledAccs, chosen, rng.fork(), unlabelled, 0, warmup);
        reports[k] = { ...reports[k], refitEpochs: chosen, seconds: reports[k].seconds + refit.seconds };
      });
    }
    for (const b of before) disposeAll(b);
    this.measureScales();
    return reports;
  }

  /** Unlabelled graphs for the auxiliary contrast (dcl with auxWeight > 0), built once. */
  private unlabelled(): readonly WorkGraph[] {
    if (this.initial.length === 0 || this.config.finetune.auxWeight <= 0) return [];
    this.unlabelledCache ??= unlabelledGraphs(this.space, this.codec, this.config, Rng.seeded(this.seed));
    return this.unlabelledCache;
  }

  private measureScales(): void {
    const graphs = this.labelledArchs.map((a) => this.graph(a));
    this.scales = this.members.map((m) => {
      const s = scoreGraphs(m, this.config, this.codec, graphs);
      const mean = s.reduce((a, v) => a + v, 0) / Math.max(1, s.length);
      const std = Math.sqrt(s.reduce((a, v) => a + (v - mean) ** 2, 0) / Math.max(1, s.length)) || 1;
      return { mean, std };
    });
  }

  /** Each fit/refresh call draws from its own stream, so a run replays exactly. */
  private callRng(): Rng {
    return Rng.seeded((this.seed * 1_000_003 + this.fitCount++ * 7919) | 0);
  }

  private graph(arch: A): WorkGraph {
    return toWorkGraph(this.space, this.codec, this.config, arch);
  }
}

function checkLabels(archs: readonly unknown[], accs: readonly number[]): void {
  if (archs.length !== accs.length) throw new UserError(`got ${archs.length} architectures but ${accs.length} accuracies; pass one accuracy per architecture`);
  const bad = accs.findIndex((a) => !Number.isFinite(a));
  if (bad >= 0) throw new UserError(`accuracy #${bad} is ${accs[bad]}; every label must be a finite number`);
}
