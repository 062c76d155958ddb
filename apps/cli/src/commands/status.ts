import type { Command } from 'commander';
import { ExperimentDetail, specSpaceName, type LauncherView } from '@dcl-enas/contracts';
import { maxFailedTrials } from '@dcl-enas/search';
import { apiOption, experimentId, callApiJson, type ApiFlags } from './api-client';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('show an experiment: status, progress, the selected architecture')
    .argument('<id>', 'experiment id (from enas submit)', experimentId)
    .option(...apiOption)
    .option('--json', 'print the experiment (with its trajectory) as one JSON object')
    .action(async (id: string, flags: ApiFlags & { json?: boolean }) => {
      printExperiment(await fetchExperiment(flags, id), flags.json);
    });
}

/** The experiment with its trajectory, as the orchestrator reports it now. */
export async function fetchExperiment(flags: ApiFlags, id: string): Promise<ExperimentDetail> {
  return callApiJson(flags, 'GET', `/experiments/${encodeURIComponent(id)}`, ExperimentDetail);
}

/** On stdout: the experiment as one JSON object (`--json`), else described for a reader. */
export function printExperiment(x: ExperimentDetail, json: boolean | undefined): void {
  process.stdout.write((json ? JSON.stringify(x) : describe(x)) + '\n');
}

export function describe(x: ExperimentDetail): string {
  const pct = (v: number | null) => (v === null ? 'not recorded' : `${v.toFixed(2)} %`);
  const lines = [
    `${x.id}  ${x.status}${x.reason ? ` (${x.reason})` : ''}`,
    `${x.spec.strategy} on ${specSpaceName(x.spec.space)}/${x.spec.dataset} · seed ${x.spec.seed} · ${x.queriesDone}/${x.spec.queries} architectures trained`,
  ];
  if (x.best) lines.push(`selected    ${x.best.arch}`, `validation  ${pct(x.best.valAcc)}  (the search signal)`, `test        ${pct(x.best.testAcc)}  (reported only)`);
  const failed = x.failedTrials ?? [];
  if (failed.length > 0) {
    lines.push(`failed      ${failed.length} trial(s), tolerated up to ${maxFailedTrials(x.spec)} (trial.maxFailedTrials)`);
    for (const f of failed.slice(-5)) lines.push(`  trial ${f.index}  ${f.reason}`);
  }
  if (x.launcher) lines.push(...describeLauncher(x.launcher));
  return lines.join('\n');
}

/** The experiment's trial Jobs (launcher mode kubernetes): counts, then each trial worth a look with its reason and events. */
function describeLauncher(l: LauncherView): string[] {
  const p = l.phases;
  const limits = `at most ${l.maxConcurrentJobs} Jobs in all${l.maxConcurrentTrials === null ? '' : `, ${l.maxConcurrentTrials} for this experiment`}`;
  const lines = [
    `trial Jobs  namespace ${l.namespace}: ${p.Running} running, ${p.Pending} pending, ${p.Queued} queued, ${p.Succeeded} succeeded, ${p.Failed} failed, ${p.Stopped} stopped (${limits})` +
      (l.adopted > 0 ? `; ${l.adopted} adopted after an orchestrator restart` : ''),
  ];
  for (const t of l.trials) {
    const waited = t.pendingSeconds === undefined ? '' : ` ${t.pendingSeconds}s`;
    const where = [t.jobName && `job ${t.jobName}`, t.attempt > 1 && `attempt ${t.attempt}`, t.exitCode !== undefined && `exit ${t.exitCode}`].filter(Boolean).join(', ');
    lines.push(`  trial ${t.trialId}  ${t.phase}${waited}${t.reason ? `  ${t.reason}` : ''}${where ? `  (${where})` : ''}`);
    if (t.message && t.message !== t.reason) lines.push(`      message: ${t.message.split('\n').join(' | ')}`);
    for (const event of t.events) lines.push(`      ${event}`);
  }
  if (l.omitted > 0) lines.push(`  ... and ${l.omitted} more trials like these`);
  return lines;
}
