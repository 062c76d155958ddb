import { randomBytes } from 'node:crypto';
import { Observable, Subject, concat, of } from 'rxjs';
import type { KV } from 'nats';
import { Rng, UserError } from '@dcl-enas/common';
import { BUCKETS, ExperimentSnapshot, decode, type ExperimentDetail, type ExperimentSpec, type ProgressEvent } from '@dcl-enas/contracts';
import { decodeJson, encodeJson, remotePredictors, type EventLog, type RpcClient, type ServiceContext, type OrchestratorConfig } from '@dcl-enas/cluster';
import { problemFor, validateSpecNames } from '@dcl-enas/experiments';
import { createStrategy, ExperimentRun, foldLog, type RunEnd, type TrialLauncher } from '@dcl-enas/search';
import { recordPredictions } from '@dcl-enas/dashboard';
import type { LauncherHooks } from './trial-launchers';

export class NotFoundError extends UserError {}

interface Active {
  snapshot: ExperimentSnapshot;
  run: ExperimentRun<unknown> | null;
  readonly progress: Subject<ProgressEvent>;
  saving: Promise<void>;
  /** Trials already sent to progress subscribers. */
  reported: number;
  /** Failed trials already sent to progress subscribers. */
  readonly reportedFailures: Set<number>;
}

/** Consecutive run failures without progress (NATS down, predictor unreachable) before an experiment fails. */
const MAX_RETRIES_WITHOUT_PROGRESS = 20;

/**
 * Runs experiments from their event logs. Every run starts by replaying its log, so resuming
 * after a restart, and retrying after a transient failure (NATS restarting, a predictor
 * timeout), are the same thing: build the strategy again and replay.
 */
export class ExperimentManager {
  private readonly active = new Map<string, Active>();
  private readonly waiting: string[] = [];
  private running = 0;
  private kv!: KV;
  private closed = false;
  private started = false;

  constructor(
    private readonly ctx: ServiceContext<OrchestratorConfig>,
    private readonly log: EventLog,
    private readonly trials: TrialLauncher,
    private readonly rpc: RpcClient,
    /** Spec checks and trial Job status of the trial launcher (launcher mode kubernetes). */
    private readonly launcher?: LauncherHooks,
  ) {}

  /** Opens the snapshot bucket and resumes every experiment that was queued or running. */
  async start(): Promise<number> {
    this.kv = await this.ctx.nc.jetstream().views.kv(BUCKETS.experiments);
    const snapshots = (await this.snapshots()).filter((s) => s.status === 'queued' || s.status === 'running').sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    for (const s of snapshots.filter((x) => x.status === 'running')) this.launch(this.track(s));
    for (const s of snapshots.filter((x) => x.status === 'queued')) {
      this.track(s);
      this.waiting.push(s.id);
    }
    this.pump();
    this.started = true;
    return snapshots.length;
  }

  async create(spec: ExperimentSpec): Promise<ExperimentSnapshot> {
    validateSpecNames(spec);
    this.launcher?.checkSpec(spec);
    const id = `${spec.name ?? spec.strategy}-${randomBytes(4).toString('hex')}`;
    const at = new Date().toISOString();
    const seq = await this.log.append(id, { type: 'created', experimentId: id, spec, at });
    const snapshot: ExperimentSnapshot = { id, spec, status: 'queued', queriesDone: 0, best: null, simulatedGpuSeconds: null, createdAt: at, updatedAt: at, lastSeq: seq };
    const a = this.track(snapshot);
    await this.save(a);
    this.waiting.push(id);
    this.pump();
    this.ctx.logger.info({ experiment: id, spec }, 'experiment created');
    return a.snapshot;
  }

  async list(): Promise<ExperimentSnapshot[]> {
    const stored = await this.snapshots();
    return stored.map((s) => this.active.get(s.id)?.snapshot ?? s).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  async get(id: string): Promise<ExperimentDetail> {
    const a = this.active.get(id);
    const launcher = this.launcher?.status(id);
    if (a?.run) return { ...a.snapshot, trajectory: [...a.run.trajectory], ...(launcher ? { launcher } : {}) };
    const snapshot = a?.snapshot ?? (await this.snapshot(id));
    const folded = foldLog((await this.log.readAll(id)).map((e) => e.event));
    return { ...snapshot, trajectory: folded.trajectory, ...(launcher ? { launcher } : {}) };
  }

  /**
   * Whether nobody need train trial `index`: it has its result, or its experiment is not running
   * here (ended). Unknown while its log is being replayed: false, so the trial is trained.
   */
  isAnswered(id: string, index: number): boolean {
    const a = this.active.get(id);
    if (!a) return this.started;
    return a.run?.answered.includes(index) ?? false;
  }

  async stop(id: string, reason = 'stopped by request'): Promise<ExperimentSnapshot> {
    const a = this.active.get(id);
    if (!a) return this.snapshot(id); // already ended (or unknown: 404)
    await this.log.append(id, { type: 'stop', reason, at: new Date().toISOString() });
    const queued = this.waiting.indexOf(id);
    if (queued >= 0) {
      this.waiting.splice(queued, 1);
      await this.finish(a, { status: 'stopped', reason });
    }
    return a.snapshot;
  }

  /** Progress as server-sent events: the current state, then trials and status changes until the end. */
  async events(id: string): Promise<Observable<ProgressEvent>> {
    const a = this.active.get(id);
    if (!a) {
      const s = await this.snapshot(id);
      const events: ProgressEvent[] = [{ type: 'state', experiment: s }, { type: 'status', status: s.status, ...(s.reason ? { reason: s.reason } : {}) }];
      return of(...events);
    }
    const state: ProgressEvent = { type: 'state', experiment: a.snapshot };
    return concat(of(state), a.progress.asObservable());
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private track(snapshot: ExperimentSnapshot): Active {
    const a: Active = { snapshot, run: null, progress: new Subject<ProgressEvent>(), saving: Promise.resolve(), reported: 0, reportedFailures: new Set() };
    this.active.set(snapshot.id, a);
    return a;
  }

  private pump(): void {
    while (this.running < this.ctx.config.maxRunningExperiments && this.waiting.length > 0) {
      const a = this.active.get(this.waiting.shift()!);
      if (a) this.launch(a);
    }
  }

  private launch(a: Active): void {
    this.running++;
    void this.runToEnd(a).finally(() => {
      this.running--;
      this.pump();
    });
  }

  private async runToEnd(a: Active): Promise<void> {
    let failures = 0;
    let lastProgress = -1;
    while (!this.closed) {
      try {
        const end = await this.attempt(a);
        if (end) await this.finish(a, end);
        return;
      } catch (e) {
        if (a.snapshot.queriesDone > lastProgress) {
          lastProgress = a.snapshot.queriesDone;
          failures = 0;
        }
        failures++;
        this.ctx.logger.warn({ experiment: a.snapshot.id, err: (e as Error).message, failures }, 'experiment run interrupted; replaying its log to continue');
        if (failures >= MAX_RETRIES_WITHOUT_PROGRESS) {
          await this.finish(a, { status: 'failed', reason: `gave up after ${failures} attempts without progress; last error: ${(e as Error).message}` }).catch(() => undefined);
          return;
        }
        await new Promise((r) => setTimeout(r, Math.min(5000, 250 * failures)));
      }
    }
  }

  /** One replay-and-continue pass; null when the log says the experiment had already ended. */
  private async attempt(a: Active): Promise<RunEnd | null> {
    const { id, spec } = a.snapshot;
    const problem = problemFor(spec.space);
    const space = problem.space;
    // The predictor's scores pass through unchanged; the proposals record them (dashboard, tau per cycle).
    const predictions = recordPredictions(remotePredictors(this.rpc, this.ctx.payloads, id, { space, specSpace: spec.space }), space);
    const strategy = createStrategy(spec.strategy, {
      space,
      rng: Rng.seeded(spec.seed),
      seed: spec.seed,
      budget: spec.queries,
      predictors: predictions.provider,
      nInit: problem.nInit,
    });
    const run = new ExperimentRun(id, spec, space, strategy, {
      log: { append: async (e) => void (await this.log.append(id, e)) },
      trials: this.trials,
      onTrial: (point, trial, { valAcc }, best) => {
        a.snapshot = { ...a.snapshot, queriesDone: point.query, best, simulatedGpuSeconds: run.simulatedGpuSeconds, updatedAt: new Date().toISOString() };
        // A replay after a retry goes over trials already reported.
        if (point.query > a.reported) {
          a.reported = point.query;
          a.progress.next({ type: 'trial', query: point.query, arch: trial.arch, valAcc, best });
        }
      },
      onFailed: (trial, reason) => {
        const failedTrials = [...(a.snapshot.failedTrials ?? []), { index: trial.index, arch: trial.arch, reason }].slice(-100);
        a.snapshot = { ...a.snapshot, failedTrials, updatedAt: new Date().toISOString() };
        if (!a.reportedFailures.has(trial.index)) {
          a.reportedFailures.add(trial.index);
          a.progress.next({ type: 'failed', index: trial.index, arch: trial.arch, reason });
        }
      },
      onBatch: () => void this.save(a),
      predictions: predictions.prediction,
    });
    let ended = null as RunEnd | null;
    let live = false;
    const follower = await this.log.follow(id, ({ seq, event }) => {
      a.snapshot = { ...a.snapshot, lastSeq: seq };
      if (event.type === 'ended') ended = event.status === 'completed' ? { status: 'completed' } : { status: event.status, reason: event.reason ?? event.status };
      const verdict = run.apply(event);
      if (verdict?.kind === 'refused') this.ctx.logger.warn({ experiment: id, trial: event.type === 'result' ? event.index : undefined, reason: verdict.reason }, 'result refused: not from the runner of that trial');
      if (verdict?.kind === 'accepted' && live) this.settle(id, [verdict.trial.index]);
    });
    try {
      await follower.caughtUp;
      if (ended) return ended;
      live = true;
      // answered trials still queued (a trainer stored the result, then died before acknowledging it)
      this.settle(id, run.answered);
      a.run = run;
      // the replay reports every trial again, failed ones included
      const { failedTrials: _replayed, ...rest } = a.snapshot;
      a.snapshot = { ...rest, queriesDone: 0 };
      if (a.snapshot.status !== 'running') {
        a.snapshot = { ...a.snapshot, status: 'running' };
        a.progress.next({ type: 'status', status: 'running' });
      }
      await this.save(a);
      return await run.run();
    } finally {
      await follower.stop();
    }
  }

  /** Takes answered trials off the queue; a failure only costs a trial trained twice (its second result is ignored). */
  private settle(id: string, indices: readonly number[]): void {
    this.trials.settle?.(id, indices).catch((e: Error) => this.ctx.logger.warn({ experiment: id, err: e.message }, 'answered trials not taken off the queue'));
  }

  private async finish(a: Active, end: RunEnd): Promise<void> {
    const { id } = a.snapshot;
    const reason = end.status === 'completed' ? undefined : end.reason;
    // Waiting trials go before `ended` is written: deleting them one by one takes a while, and
    // trainers would otherwise go on taking them after the end (a crash in between replays the stop).
    if (end.status !== 'completed') await this.trials.withdraw(id);
    await this.log.append(id, { type: 'ended', status: end.status, ...(reason ? { reason } : {}), at: new Date().toISOString() });
    if (end.status === 'completed') await this.trials.finished?.(id).catch((e: Error) => this.ctx.logger.warn({ experiment: id, err: e.message }, 'trial launcher could not tidy up after the experiment'));
    a.snapshot = { ...a.snapshot, status: end.status, ...(reason ? { reason } : {}), updatedAt: new Date().toISOString() };
    await this.save(a);
    a.progress.next({ type: 'status', status: end.status, ...(reason ? { reason } : {}) });
    a.progress.complete();
    this.active.delete(id);
    this.ctx.logger.info({ experiment: id, status: end.status, reason, queries: a.snapshot.queriesDone, best: a.snapshot.best }, 'experiment ended');
  }

  /** Snapshots are a cache of the log: a failed write is logged and retried with the next one. */
  private save(a: Active): Promise<void> {
    a.saving = a.saving
      .then(() => this.kv.put(a.snapshot.id, encodeJson(a.snapshot)))
      .then(
        () => undefined,
        (e: Error) => this.ctx.logger.warn({ experiment: a.snapshot.id, err: e.message }, 'snapshot not saved'),
      );
    return a.saving;
  }

  private async snapshot(id: string): Promise<ExperimentSnapshot> {
    const entry = /^[A-Za-z0-9_-]{1,64}$/.test(id) ? await this.kv.get(id) : null;
    if (!entry || entry.operation !== 'PUT') throw new NotFoundError(`no experiment with id "${id}": list them with GET /experiments`);
    return decode(ExperimentSnapshot, decodeJson(entry.value), `snapshot ${id}`);
  }

  private async snapshots(): Promise<ExperimentSnapshot[]> {
    // Keys first, then values: awaiting inside the keys iterator cuts the listing short.
    const keys: string[] = [];
    for await (const key of await this.kv.keys()) keys.push(key);
    const out: ExperimentSnapshot[] = [];
    for (const key of keys) {
      try {
        out.push(await this.snapshot(key));
      } catch (e) {
        this.ctx.logger.warn({ key, err: (e as Error).message }, 'unreadable snapshot skipped');
      }
    }
    return out;
  }
}

