import { Controller, Get, Header, Inject, NotFoundException, Param, Redirect, Sse, type MessageEvent } from '@nestjs/common';
import { Observable } from 'rxjs';
import { Gauge } from 'prom-client';
import { specSpaceName, type ExperimentSnapshot } from '@dcl-enas/contracts';
import { describeQueue, registerQueueDepth, trialQueueDepth, type EventLog, type OrchestratorConfig, type ServiceContext } from '@dcl-enas/cluster';
import { spaceByName } from '@dcl-enas/experiments';
import { DashboardHub, TRIAL_STATES, dashboardPage, watchExperiment, watchExperiments, type ExperimentSummary, type ExperimentView } from '@dcl-enas/dashboard';
import type { ExperimentManager } from './experiment-manager';

export const DASHBOARD = Symbol('OrchestratorDashboard');

/**
 * The orchestrator's side of the dashboard: follows the event log of every queued or running
 * experiment (and of ended ones when someone looks at them) into a DashboardHub, tells it the
 * work queue's state, and exports the hub's figures as Prometheus metrics.
 */
export class OrchestratorDashboard {
  readonly hub: DashboardHub;
  private readonly following = new Map<string, Promise<void>>();
  private readonly stops = new Set<() => Promise<void>>();
  private timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly ctx: ServiceContext<OrchestratorConfig>,
    private readonly log: EventLog,
    private readonly manager: ExperimentManager,
  ) {
    this.hub = new DashboardHub({ stuckAfterSeconds: ctx.config.stuckTrialSeconds, spaceOf: (name) => safe(() => spaceByName(name)) });
    this.registerMetrics();
  }

  start(): void {
    const refresh = () => void this.refresh().catch((e: Error) => this.ctx.logger.warn({ err: e.message }, 'dashboard refresh failed'));
    refresh();
    this.timers = [setInterval(refresh, 2000), setInterval(() => this.hub.tick(), 1000)];
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    await Promise.all([...this.stops].map((stop) => stop()));
  }

  /** The experiment's tracker, loading its log first if nobody followed it yet; false when unknown. */
  async load(id: string): Promise<boolean> {
    if (this.hub.tracker(id)) return true;
    try {
      await this.manager.get(id); // 404 for unknown ids
    } catch {
      return false;
    }
    await this.follow(id);
    return true;
  }

  private async refresh(): Promise<void> {
    for (const s of await this.manager.list()) {
      if (s.status === 'queued' || s.status === 'running') {
        void this.follow(s.id);
        // Trials run as Kubernetes Jobs: their pods, Pending reasons and events (the launcher's view).
        const launcher = s.status === 'running' ? (await this.manager.get(s.id)).launcher : undefined;
        for (const t of launcher?.trials ?? []) {
          const { phase, podName, reason, message, events, attempt } = t;
          this.hub.setLiveStatus(s.id, Number(t.trialId), { phase, podName, reason, message, events, attempt });
        }
      } else if (!this.hub.tracker(s.id)) this.hub.putSummary(fromSnapshot(s));
    }
    this.hub.setWaitingHint(describeQueue(await trialQueueDepth(this.ctx.nc)));
  }

  private follow(id: string): Promise<void> {
    let started = this.following.get(id);
    if (!started) {
      started = (async () => {
        const tracker = this.hub.open(id);
        const follower = await this.log.follow(id, ({ event, at }) => this.hub.apply(id, event, at));
        const stop = async () => {
          this.stops.delete(stop);
          await follower.stop();
        };
        this.stops.add(stop);
        await follower.caughtUp;
        // An ended experiment's log does not grow: stop reading once it is in.
        const poll = setInterval(() => {
          if (tracker.ended) {
            clearInterval(poll);
            void stop();
          }
        }, 1000);
        this.timers.push(poll);
      })();
      this.following.set(id, started);
      started.catch(() => this.following.delete(id));
    }
    return started;
  }

  private registerMetrics(): void {
    const registry = this.ctx.metrics;
    const hub = this.hub;
    registerQueueDepth(registry, this.ctx.nc);
    new Gauge({
      name: 'enas_trials',
      help: 'Trials of the experiments the orchestrator follows, by state (waiting, running, stuck, succeeded, failed, withdrawn)',
      labelNames: ['state'],
      registers: [registry],
      collect() {
        const s = hub.stats();
        for (const state of TRIAL_STATES) this.set({ state }, s.trialsByState[state]);
      },
    });
    new Gauge({
      name: 'enas_experiments',
      help: 'Experiments by status',
      labelNames: ['status'],
      registers: [registry],
      collect() {
        for (const [status, n] of Object.entries(hub.stats().experimentsByStatus)) this.set({ status }, n);
      },
    });
    new Gauge({
      name: 'enas_predictor_hit_rate',
      help: "Share of the predictor's picks whose validation accuracy beats the median of the experiment's random initial trials (chance 0.5), per experiment",
      labelNames: ['experiment'],
      registers: [registry],
      collect() {
        this.reset();
        for (const { experiment, hitRate } of hub.stats().hitRate) this.set({ experiment }, hitRate);
      },
    });
    new Gauge({
      name: 'enas_predictor_tau',
      help: "Kendall tau between the predictor's scores and the observed validation accuracies on the latest infill batch (5 near-ties: mostly noise; see enas_predictor_hit_rate), per experiment",
      labelNames: ['experiment'],
      registers: [registry],
      collect() {
        this.reset();
        for (const { experiment, tau } of hub.stats().latestTau) this.set({ experiment }, tau);
      },
    });
  }
}

function fromSnapshot(s: ExperimentSnapshot): ExperimentSummary {
  return {
    id: s.id,
    name: s.spec.name ?? null,
    space: specSpaceName(s.spec.space),
    dataset: s.spec.dataset,
    strategy: s.spec.strategy,
    seed: s.spec.seed,
    queries: s.spec.queries,
    batchSize: s.spec.batchSize,
    status: s.status,
    reason: s.reason ?? null,
    done: s.queriesDone,
    failed: 0,
    stuck: 0,
    best: s.best ? { index: -1, ...s.best } : null,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  };
}

function safe<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}

/** The dashboard's HTTP routes (same paths as `enas search --ui`): the page, JSON, and SSE streams. */
@Controller()
export class DashboardController {
  constructor(@Inject(DASHBOARD) private readonly dashboard: OrchestratorDashboard) {}

  @Get()
  @Redirect('/dashboard/', 302)
  root(): { url: string } {
    return { url: '/dashboard/' };
  }

  @Get('dashboard')
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('cache-control', 'no-store')
  page(): string {
    return dashboardPage();
  }

  @Get('dashboard/api/experiments')
  list(): ExperimentSummary[] {
    return this.dashboard.hub.summaries();
  }

  @Get('dashboard/api/experiments/:id')
  async view(@Param('id') id: string): Promise<ExperimentView> {
    if (!(await this.dashboard.load(id))) throw new NotFoundException({ error: `no experiment with id "${id}"` });
    return this.dashboard.hub.view(id)!;
  }

  @Sse('dashboard/api/stream')
  listStream(): Observable<MessageEvent> {
    return new Observable((sub) => watchExperiments(this.dashboard.hub, (list) => sub.next({ type: 'experiments', data: list })));
  }

  @Sse('dashboard/api/experiments/:id/stream')
  viewStream(@Param('id') id: string): Observable<MessageEvent> {
    return new Observable((sub) => {
      let stop: (() => void) | null = null;
      let closed = false;
      void this.dashboard.load(id).then((known) => {
        if (closed) return;
        if (!known) {
          sub.next({ type: 'missing', data: { error: `no experiment with id "${id}"` } });
          sub.complete();
          return;
        }
        stop = watchExperiment(this.dashboard.hub, id, (view) => sub.next({ type: 'view', data: view }));
      });
      return () => {
        closed = true;
        stop?.();
      };
    });
  }
}
