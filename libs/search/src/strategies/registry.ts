import { UserError } from '@dcl-enas/common';
import type { Strategy, StrategyContext } from '../strategy';
import { randomSearch } from './random-search';
import { regularizedEvolution } from './regularized-evolution';
import { DCL_ENAS_DEFAULTS, dclEnas } from './dcl-enas';
import { predictorPool } from './predictor-pool';

type Factory = <A>(ctx: StrategyContext<A>) => Strategy<A>;

const factories = new Map<string, Factory>([
  ['random', randomSearch],
  ['rea', regularizedEvolution],
  ['dcl-enas', (ctx) => dclEnas(ctx)],
  ['dcl-enas-no-pretrain', (ctx) => dclEnas(ctx, { ...DCL_ENAS_DEFAULTS, variant: 'no-pretrain' }, 'dcl-enas-no-pretrain')],
  ['dcl-enas-regression', (ctx) => dclEnas(ctx, { ...DCL_ENAS_DEFAULTS, variant: 'regression' }, 'dcl-enas-regression')],
  ['dcl-pool', (ctx) => predictorPool(ctx)],
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
