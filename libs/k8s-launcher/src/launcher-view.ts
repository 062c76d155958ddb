import type { LauncherTrialView, LauncherView } from '@dcl-enas/contracts';
import type { TrialLauncher } from './launcher';
import type { TrialStatus } from './trial-status';

const SHOWN = 50;

/** Which trials are worth a look, most urgent first: failed, pending, queued with a reason, running. */
const RANK: Record<TrialStatus['phase'], number> = { Failed: 0, Pending: 1, Queued: 2, Running: 3, Stopped: 4, Succeeded: 5 };

function worthShowing(status: TrialStatus): boolean {
  if (status.phase === 'Pending' || status.phase === 'Running' || status.phase === 'Failed') return true;
  return status.phase === 'Queued' && status.reason !== undefined;
}

function view(status: TrialStatus): LauncherTrialView {
  const { experimentId: _experiment, ...rest } = status;
  return rest;
}

/**
 * An experiment's trial Jobs as GET /experiments/:id shows them (and `enas status` prints):
 * counts by phase and the trials that need a look, with their Pending reasons and events.
 * Undefined when the launcher has never seen the experiment.
 */
export function launcherView(launcher: TrialLauncher, experimentId: string): LauncherView | undefined {
  const statuses = launcher.status(experimentId);
  const template = launcher.templateOf(experimentId);
  if (statuses.length === 0 && !template) return undefined;
  const phases = { Queued: 0, Pending: 0, Running: 0, Succeeded: 0, Failed: 0, Stopped: 0 };
  let adopted = 0;
  for (const status of statuses) {
    phases[status.phase]++;
    if (status.adopted) adopted++;
  }
  const shown = statuses
    .filter(worthShowing)
    .sort((a, b) => RANK[a.phase] - RANK[b.phase] || a.updatedAt.localeCompare(b.updatedAt));
  return {
    kind: 'kubernetes',
    namespace: launcher.namespace,
    maxConcurrentJobs: launcher.summary().maxConcurrentJobs,
    maxConcurrentTrials: template?.maxConcurrentTrials ?? null,
    phases,
    adopted,
    trials: shown.slice(0, SHOWN).map(view),
    omitted: Math.max(0, shown.length - SHOWN),
  };
}
