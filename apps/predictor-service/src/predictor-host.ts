import { BUCKETS, PretrainReply, SUBJECTS, type FitReply, type FitRequest, type ObjectRef, type PredictorSession, type RankReply, type RankRequest } from '@dcl-enas/contracts';
import type { ObjectStores, Payloads, RpcClient, Logger } from '@dcl-enas/cluster';
import { problemFor } from '@dcl-enas/experiments';
import type { PersistentPredictor, PredictorEngine } from '@dcl-enas/predictor-engines';
import type { SearchSpace } from '@dcl-enas/spaces';

/**
 * Stage-2 fitting and ranking for any session, on any replica: states live in the
 * `enas-models` object store (one object per fit, named session/version, so a repeated fit is
 * answered from the store), and the most recent ones stay in memory.
 */
export class PredictorHost {
  private readonly cache = new Map<string, Promise<PersistentPredictor<unknown>>>();
  private readonly encoders = new Map<string, Promise<Uint8Array | null>>();

  constructor(
    private readonly engine: PredictorEngine,
    private readonly stores: ObjectStores,
    private readonly payloads: Payloads,
    private readonly encoderRpc: RpcClient,
    private readonly cacheSize: number,
    private readonly logger: Logger,
  ) {}

  async fit(req: FitRequest): Promise<FitReply> {
    const started = performance.now();
    const name = `${req.session.id}/v${req.version}`;
    const stored = await this.stores.find(BUCKETS.models, name);
    if (stored) return { model: stored, cached: true, seconds: 0 };
    const space = problemFor(req.session.space).space;
    const predictor = req.previous ? await this.continueFrom(space, req.session, req.previous) : await this.fresh(space, req.session);
    const labelled = await this.payloads.unwrap(req.observations);
    await predictor.fit(labelled.map((o) => ({ arch: space.parse(o.arch), key: o.key, valAcc: o.valAcc })));
    const model = await this.stores.put(BUCKETS.models, name, await predictor.save());
    this.remember(name, Promise.resolve(predictor));
    const seconds = (performance.now() - started) / 1000;
    this.logger.info({ session: req.session.id, version: req.version, labelled: labelled.length, seconds }, 'predictor fitted');
    return { model, cached: false, seconds };
  }

  async rank(req: RankRequest): Promise<RankReply> {
    const started = performance.now();
    const space = problemFor(req.session.space).space;
    const predictor = req.model ? await this.load(space, req.session, req.model) : await this.fresh(space, req.session);
    const archs = (await this.payloads.unwrap(req.archs)).map((a) => space.parse(a));
    const scores = await predictor.score(archs);
    this.logger.debug({ session: req.session.id, candidates: archs.length }, 'ranked');
    return { scores: await this.payloads.wrap(Array.from(scores)), seconds: (performance.now() - started) / 1000 };
  }

  /**
   * The predictor after the previous fit, to be fitted further: the live one when this replica
   * made it (taken out of the cache, since fitting changes it), else restored from the store.
   */
  private async continueFrom(space: SearchSpace<unknown>, session: PredictorSession, previous: ObjectRef): Promise<PersistentPredictor<unknown>> {
    const live = this.cache.get(previous.name);
    if (live) {
      this.cache.delete(previous.name);
      return live;
    }
    return this.restore(space, session, previous);
  }

  /** From the store, continuing this replica's newest live predictor of the session when it has one. */
  private async restore(space: SearchSpace<unknown>, session: PredictorSession, ref: ObjectRef): Promise<PersistentPredictor<unknown>> {
    const version = (name: string) => Number(/\/v(\d+)$/.exec(name)?.[1] ?? NaN);
    const wanted = version(ref.name);
    const older = [...this.cache.keys()].filter((n) => n.startsWith(`${session.id}/v`) && version(n) < wanted).sort((a, b) => version(b) - version(a))[0];
    let base: PersistentPredictor<unknown> | undefined;
    if (older) {
      base = await this.cache.get(older);
      this.cache.delete(older);
    }
    return this.engine.restore(space, engineRequest(space, session), await this.stores.get(ref), await this.encoder(space, session), base);
  }

  private load(space: SearchSpace<unknown>, session: PredictorSession, ref: ObjectRef): Promise<PersistentPredictor<unknown>> {
    const hit = this.cache.get(ref.name);
    if (hit) {
      this.cache.delete(ref.name);
      this.cache.set(ref.name, hit);
      return hit;
    }
    const loading = this.restore(space, session, ref);
    this.remember(ref.name, loading);
    loading.catch(() => this.cache.delete(ref.name));
    return loading;
  }

  private remember(name: string, p: Promise<PersistentPredictor<unknown>>): void {
    this.cache.set(name, p);
    while (this.cache.size > this.cacheSize) {
      const [oldest, evicted] = this.cache.entries().next().value!;
      this.cache.delete(oldest);
      void evicted.then((x) => x.dispose()).catch(() => undefined);
    }
  }

  private async fresh(space: SearchSpace<unknown>, session: PredictorSession): Promise<PersistentPredictor<unknown>> {
    return this.engine.create(space, engineRequest(space, session), await this.encoder(space, session));
  }

  /** The stage-1 encoder: from the object store if some replica already has it, else from the encoder service. */
  private encoder(space: SearchSpace<unknown>, session: PredictorSession): Promise<Uint8Array | null> {
    const key = this.engine.encoderKey(space, engineRequest(space, session));
    if (key === null) return Promise.resolve(null);
    let p = this.encoders.get(key);
    if (!p) {
      p = (async () => {
        const ref =
          (await this.stores.find(BUCKETS.encoders, key)) ??
          (await this.encoderRpc.request(SUBJECTS.encoderPretrain, { space: session.space, engine: this.engine.name, variant: session.variant, seed: session.seed }, PretrainReply)).encoder;
        return ref ? this.stores.get(ref) : null;
      })();
      this.encoders.set(key, p);
      p.catch(() => this.encoders.delete(key));
    }
    return p;
  }
}

/** What an engine knows of a session: the space by the name its strategy uses (a declared space's own name). */
function engineRequest(space: SearchSpace<unknown>, session: PredictorSession): { space: string; variant: string; seed: number } {
  return { space: space.name, variant: session.variant, seed: session.seed };
}
