import { UserError } from '@dcl-enas/common';
import type { Strategy, StrategyContext } from '../strategy';
import { randomSearch } from './random-search';
import { regularizedEvolution } from './regularized-evolution';
import { DCL_ENAS_DEFAULTS, dclEnas } from './dcl-enas';
import { PREDICTOR_POOL_DEFAULTS, predictorPool } from './predictor-pool';

type Factory = <A>(ctx: StrategyContext<A>) => Strategy<A>;

/**
 * Per-space overrides of the predictor-guided strategies' defaults, applied wherever a strategy
 * is created by name (`enas search`, `enas bench`, cluster experiments). The defaults (nInit 20)
 * are tuned for tabular budgets of 100+ queries; an ECG search trains 15-30 candidates for real,
 * where 20 random ones would leave at most one guided cycle (docs/ecg-space.md).
 */
export const SPACE_STRATEGY_DEFAULTS: Readonly<Record<string, { readonly nInit: number }>> = {
  ecg: { nInit: 10 },
};

const forSpace = <O extends { nInit: number }>(defaults: O, ctx: StrategyContext<unknown>): O => ({ ...defaults, ...SPACE_STRATEGY_DEFAULTS[ctx.space.name] });

const factories = new Map<string, Factory>([
  ['random', randomSearch],
  ['rea', regularizedEvolution],
  ['dcl-enas', (ctx) => dclEnas(ctx, forSpace(DCL_ENAS_DEFAULTS, ctx))],
  ['dcl-enas-no-pretrain', (ctx) => dclEnas(ctx, { ...forSpace(DCL_ENAS_DEFAULTS, ctx), variant: 'no-pretrain' }, 'dcl-enas-no-pretrain')],
  ['dcl-enas-regression', (ctx) => dclEnas(ctx, { ...forSpace(DCL_ENAS_DEFAULTS, ctx), variant: 'regression' }, 'dcl-enas-regression')],
  ['dcl-pool', (ctx) => predictorPool(ctx, forSpace(PREDICTOR_POOL_DEFAULTS, ctx))],
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
