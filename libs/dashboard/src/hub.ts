import type { ExperimentEvent } from '@dcl-enas/contracts';
import type { SearchSpace } from '@dcl-enas/spaces';
import { curveSvg, cellSvg, hitRateSvg, tauSvg } from './svg';
import { ExperimentTracker, TRIAL_STATES, type ExperimentModel, type ExperimentSummary, type LiveTrialStatus, type TrialState } from './tracker';

/** What the page gets for one experiment: the model plus its drawings. */
export interface ExperimentView extends ExperimentModel {
  readonly version: number;
  /** ranking: share of each fit's picks beating the random median (hitRateSvg); tau: Kendall tau within each batch (tauSvg, noisy). */
  readonly svg: { readonly curve: string; readonly ranking: string; readonly tau: string; readonly cell: string | null };
}

export interface HubOptions {
  /** A trial without a result this long after its proposal is shown as stuck (ENAS_STUCK_TRIAL_SECONDS). */
  readonly stuckAfterSeconds: number;
  /** Resolves a space by name for drawing cells that are not in the NAS-Bench-201 string form. */
  readonly spaceOf?: (name: string) => SearchSpace<unknown> | undefined;
  readonly now?: () => number;
}

/** Figures for metrics: trials by state over all tracked experiments, and each experiment's predictor quality. */
export interface HubStats {
  readonly trialsByState: Record<TrialState, number>;
  readonly experimentsByStatus: Record<string, number>;
  /** Kendall tau within the latest infill batch (near-tied picks: noisy). */
  readonly latestTau: readonly { readonly experiment: string; readonly tau: number }[];
  /** Share of all the predictor's observed picks that beat the median of the random initial trials (chance 0.5). */
  readonly hitRate: readonly { readonly experiment: string; readonly hitRate: number; readonly picks: number }[];
}

/**
 * Every experiment the dashboard knows: a tracker per experiment fed from its event log, plus
 * summaries of experiments not loaded (cluster mode knows them from snapshots). Listeners hear
 * which experiment changed; adapters (HTTP, SSE) turn that into pushes.
 */
export class DashboardHub {
  private readonly trackers = new Map<string, ExperimentTracker>();
  private readonly outside = new Map<string, ExperimentSummary>();
  private readonly listeners = new Set<(id: string) => void>();

  constructor(readonly options: HubOptions) {}

  tracker(id: string): ExperimentTracker | undefined {
    return this.trackers.get(id);
  }

  /** The experiment's tracker, created empty when new. */
  open(id: string): ExperimentTracker {
    let t = this.trackers.get(id);
    if (!t) {
      t = new ExperimentTracker(id, { stuckAfterSeconds: this.options.stuckAfterSeconds, now: this.options.now });
      this.trackers.set(id, t);
      this.outside.delete(id);
    }
    return t;
  }

  apply(id: string, event: ExperimentEvent, at?: string): void {
    this.open(id).apply(event, at);
    this.emit(id);
  }

  setLiveStatus(id: string, index: number, status: LiveTrialStatus): void {
    if (this.trackers.get(id)?.setLiveStatus(index, status)) this.emit(id);
  }

  /** A hint for every running experiment's waiting trials (e.g. the work queue's state). */
  setWaitingHint(hint: string | null): void {
    for (const t of this.trackers.values()) if (!t.ended) t.setWaitingHint(hint);
  }

  /** Summary of an experiment the hub has not loaded (no tracker). */
  putSummary(summary: ExperimentSummary): void {
    if (this.trackers.has(summary.id)) return;
    const before = this.outside.get(summary.id);
    this.outside.set(summary.id, summary);
    if (!before || before.status !== summary.status || before.done !== summary.done) this.emit(summary.id);
  }

  /** Re-checks waiting trials (stuck detection, growing durations); call every second or so. */
  tick(): void {
    for (const [id, t] of this.trackers) if (t.tick()) this.emit(id);
  }

  summaries(): ExperimentSummary[] {
    const all = [...[...this.trackers.values()].map((t) => t.summary()), ...this.outside.values()];
    return all.sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? '') || a.id.localeCompare(b.id));
  }

  view(id: string, maxTrials = 200): ExperimentView | undefined {
    const t = this.trackers.get(id);
    if (!t) return undefined;
    const model = t.model(maxTrials);
    const space = this.options.spaceOf?.(model.space);
    return {
      ...model,
      version: t.version,
      svg: {
        curve: curveSvg(model.curve, model.scatter, { budget: model.queries }),
        ranking: hitRateSvg(model.cycles, { height: 170 }),
        tau: tauSvg(model.cycles, { height: 150 }),
        cell: model.best ? cellSvg(model.best.arch, space) : null,
      },
    };
  }

  stats(): HubStats {
    const trialsByState = Object.fromEntries(TRIAL_STATES.map((s) => [s, 0])) as Record<TrialState, number>;
    const experimentsByStatus: Record<string, number> = { queued: 0, running: 0, completed: 0, stopped: 0, failed: 0 };
    const latestTau: { experiment: string; tau: number }[] = [];
    const hitRate: { experiment: string; hitRate: number; picks: number }[] = [];
    for (const s of this.outside.values()) experimentsByStatus[s.status]++;
    for (const t of this.trackers.values()) {
      const m = t.model(0);
      experimentsByStatus[m.status]++;
      for (const s of TRIAL_STATES) trialsByState[s] += m.trialCounts[s];
      const last = [...m.cycles].reverse().find((c) => c.tau !== null);
      if (last) latestTau.push({ experiment: t.id, tau: last.tau! });
      if (m.ranking && m.ranking.hitRate !== null) hitRate.push({ experiment: t.id, hitRate: m.ranking.hitRate, picks: m.ranking.picks });
    }
    return { trialsByState, experimentsByStatus, latestTau, hitRate };
  }

  subscribe(listener: (id: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(id: string): void {
    for (const l of this.listeners) l(id);
  }
}

/**
 * Calls `send` with the experiment's view now and after changes, at most once per `intervalMs`
 * (the last change always gets through). Returns the function that stops it.
 */
export function watchExperiment(hub: DashboardHub, id: string, send: (view: ExperimentView) => void, intervalMs = 250): () => void {
  return throttled(hub, (changed) => changed === null || changed === id, () => {
    const v = hub.view(id);
    if (v) send(v);
  }, intervalMs);
}

/** The experiments list, now and after changes, at most once per `intervalMs`. */
export function watchExperiments(hub: DashboardHub, send: (list: ExperimentSummary[]) => void, intervalMs = 500): () => void {
  return throttled(hub, () => true, () => send(hub.summaries()), intervalMs);
}

function throttled(hub: DashboardHub, relevant: (id: string | null) => boolean, push: () => void, intervalMs: number): () => void {
  let last = 0;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  const fire = () => {
    timer = null;
    if (stopped) return;
    last = Date.now();
    push();
  };
  const unsubscribe = hub.subscribe((id) => {
    if (!relevant(id) || timer) return;
    timer = setTimeout(fire, Math.max(0, last + intervalMs - Date.now()));
  });
  fire();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    unsubscribe();
  };
}
