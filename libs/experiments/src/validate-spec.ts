import { UserError } from '@dcl-enas/common';
import type { ExperimentSpec } from '@dcl-enas/contracts';
import { strategyNames } from '@dcl-enas/search';
import { datasetsOf, spaceNames } from './spaces';

/** What the schema cannot know: that space, dataset and strategy exist. One UserError naming the field. */
export function validateSpecNames(spec: ExperimentSpec): void {
  if (!spaceNames().includes(spec.space)) throw new UserError(`space: unknown space "${spec.space}": use one of ${spaceNames().join(', ')}`);
  const datasets = datasetsOf(spec.space);
  if (!datasets.includes(spec.dataset)) throw new UserError(`dataset: unknown dataset "${spec.dataset}" for space ${spec.space}: use one of ${datasets.join(', ')}`);
  if (!strategyNames().includes(spec.strategy)) throw new UserError(`strategy: unknown strategy "${spec.strategy}": use one of ${strategyNames().join(', ')}`);
}
