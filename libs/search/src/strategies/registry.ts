import { UserError } from '@dcl-enas/common';
import type { Strategy, StrategyContext } from '../strategy';
import { randomSearch } from './random-search';
import { regularizedEvolution } from './regularized-evolution';

type Factory = <A>(ctx: StrategyContext<A>) => Strategy<A>;

const factories = new Map<string, Factory>([
  ['random', randomSearch],
  ['rea', regularizedEvolution],
]);

/** Lets other libraries (the predictor-guided strategies) add themselves without a cycle. */
export function registerStrategy(name: string, factory: Factory): void {
  factories.set(name, factory);
}

export function strategyNames(): string[] {
  return [...factories.keys()];
}

export function createStrategy<A>(name: string, ctx: StrategyContext<A>): Strategy<A> {
  const factory = factories.get(name);
  if (!factory) throw new UserError(`unknown strategy "${name}": use one of ${strategyNames().join(', ')}`);
  return factory(ctx);
}
