import { UserError } from '@dcl-enas/common';
import { NB201_DATASETS } from '@dcl-enas/benchmarks';
import { ecgSpace, nb101Space, nb201Space, type SearchSpace } from '@dcl-enas/spaces';

interface KnownSpace {
  readonly space: SearchSpace<unknown>;
  readonly datasets: readonly string[];
}

const spaces = new Map<string, KnownSpace>([
  ['nb201', { space: nb201Space as SearchSpace<unknown>, datasets: NB201_DATASETS }],
  ['nb101', { space: nb101Space as SearchSpace<unknown>, datasets: ['cifar10'] }],
  // The cell space only (cheap, no TensorFlow): the orchestrator, predictor and encoder need no
  // more. Trainers load the beat set and TensorFlow.js lazily, on the first ECG trial; the
  // dataset list is @dcl-enas/ecg-model's ECG_DATASETS (not imported here, it pulls TensorFlow in).
  ['ecg', { space: ecgSpace as SearchSpace<unknown>, datasets: ['mitdb'] }],
]);

/** Lets another space (ecg) plug in without a dependency cycle. */
export function registerSpace(space: SearchSpace<unknown>, datasets: readonly string[]): void {
  spaces.set(space.name, { space, datasets });
}

export function spaceNames(): string[] {
  return [...spaces.keys()];
}

export function spaceByName(name: string): SearchSpace<unknown> {
  return known(name).space;
}

export function datasetsOf(name: string): readonly string[] {
  return known(name).datasets;
}

function known(name: string): KnownSpace {
  const entry = spaces.get(name);
  if (!entry) throw new UserError(`unknown space "${name}": use one of ${spaceNames().join(', ')}`);
  return entry;
}
