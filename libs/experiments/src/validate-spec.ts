import { UserError } from '@dcl-enas/common';
import type { EcgSettings, ExperimentSpec } from '@dcl-enas/contracts';
import { DS1_RECORDS, DS2_RECORDS } from '@dcl-enas/ecg';
import { checkQueryBudget, strategyNames } from '@dcl-enas/search';
import { builtInProblemNames, problemFor, type Problem } from './problems';

/**
 * What the schema cannot know: that space, dataset and strategy exist, that the settings given
 * are the problem's, that the space can supply the budget. One UserError naming the field.
 * Returns the spec's problem.
 */
export function validateSpecNames(spec: ExperimentSpec): Problem {
  if (typeof spec.space === 'string' && !builtInProblemNames().includes(spec.space)) {
    throw new UserError(`space: unknown space "${spec.space}": use one of ${builtInProblemNames().join(', ')}, or declare one (docs/spaces.md)`);
  }
  const problem = problemFor(spec.space);
  const datasets = problem.datasets;
  if (datasets && !datasets.includes(spec.dataset)) throw new UserError(`dataset: unknown dataset "${spec.dataset}" for space ${problem.name}: use one of ${datasets.join(', ')}`);
  if (!strategyNames().includes(spec.strategy)) throw new UserError(`strategy: unknown strategy "${spec.strategy}": use one of ${strategyNames().join(', ')}`);
  if (spec.ecg && problem.settings !== 'ecg') throw new UserError(`ecg: these settings are for space ecg only: remove them, or search space ecg`);
  if (spec.ecg) checkEcgSettings(spec.ecg, 'ecg.');
  checkQueryBudget(problem.space, spec.queries, 'queries:');
  const command = spec.trial?.command !== undefined;
  if (problem.evaluation === 'none' && !command) {
    throw new UserError(`trial.command: ${problem.name} is a declared space, whose candidates your own command trains: give trial.command and objective (docs/trials.md)`);
  }
  if (command && !spec.objective) throw new UserError(`objective: a trial command's result is read for the metric the search optimises: give objective: {metric: ..., goal: maximize | minimize} (docs/trials.md)`);
  if (!command && (spec.objective || spec.earlyStopping)) {
    throw new UserError(`${spec.objective ? 'objective' : 'earlyStopping'}: applies to trial commands only (trial.command); ${problem.name} is evaluated by its own ${problem.evaluation === 'table' ? 'table' : 'trainer'}`);
  }
  return problem;
}

/** What the schema cannot see in the ECG settings: records that exist and a split (and folds) they allow. One UserError. */
export function checkEcgSettings(settings: EcgSettings, prefix = ''): void {
  const records = settings.records;
  const holdout = settings.holdout?.count ?? 4;
  if (records) {
    const unknown = records.filter((r) => !DS1_RECORDS.includes(r) && !DS2_RECORDS.includes(r));
    if (unknown.length > 0) throw new UserError(`${prefix}records: ${unknown.join(', ')} are not non-paced MIT-BIH records (paced 102, 104, 107, 217 are left out): choose among ${[...DS1_RECORDS, ...DS2_RECORDS].join(', ')}`);
    const ds1 = records.filter((r) => DS1_RECORDS.includes(r)).length;
    if (ds1 <= holdout) throw new UserError(`${prefix}records: ${ds1} DS1 record(s) leave none to train on after a hold-out of ${holdout}: add DS1 records or lower holdout.count`);
    if (!records.some((r) => DS2_RECORDS.includes(r))) throw new UserError(`${prefix}records: no DS2 record to test on: add at least one of ${DS2_RECORDS.join(', ')}`);
  }
  const folds = settings.folds ?? 1;
  if (folds > 1) {
    // Every fold draws its own hold-out: there must be at least as many distinct hold-outs as folds.
    const ds1 = records ? records.filter((r) => DS1_RECORDS.includes(r)).length : DS1_RECORDS.length;
    const holdouts = choose(ds1, holdout);
    if (folds > holdouts) throw new UserError(`${prefix}folds: ${folds} folds need ${folds} different hold-outs, but ${ds1} DS1 records give only ${holdouts} different hold-outs of ${holdout} record(s): lower folds, add DS1 records or change holdout.count`);
  }
}

/** n choose k (small n). */
function choose(n: number, k: number): number {
  let c = 1;
  for (let i = 0; i < k; i++) c = (c * (n - i)) / (i + 1);
  return Math.round(c);
}
