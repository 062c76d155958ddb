import { UserError } from '@dcl-enas/common';
import type { Strategy, StrategyContext } from '../strategy';
import { randomSearch } from './random-search';
import { regularizedEvolution } from './regularized-evolution';
import { DCL_ENAS_DEFAULTS, dclEnas } from './dcl-enas';
import { PREDICTOR_POOL_DEFAULTS, predictorPool } from './predictor-pool';

type Factory = <A>(ctx: StrategyContext<A>) => Strategy<A>;

/** The predictor-guided strategies' defaults with the problem's own nInit, where it has one (StrategyContext.nInit). */
const forSpace = <O extends { nInit: number }>(defaults: O, ctx: StrategyContext<unknown>): O => (ctx.nInit === undefined ? defaults : { ...defaults, nInit: ctx.nInit });

const factories: ReadonlyMap<string, Factory> = new Map<string, Factory>([
  ['random', randomSearch],
  ['rea', regularizedEvolution],
  ['dcl-enas', (ctx) => dclEnas(ctx, forSpace(DCL_ENAS_DEFAULTS, ctx))],
  ['dcl-enas-no-pretrain', (ctx) => dclEnas(ctx, { ...forSpace(DCL_ENAS_DEFAULTS, ctx), variant: 'no-pretrain' }, 'dcl-enas-no-pretrain')],
  ['dcl-enas-regression', (ctx) => dclEnas(ctx, { ...forSpace(DCL_ENAS_DEFAULTS, ctx), variant: 'regression' }, 'dcl-enas-regression')],
  ['dcl-pool', (ctx) => predictorPool(ctx, forSpace(PREDICTOR_POOL_DEFAULTS, ctx))],
]);

export function strategyNames(): string[] {
  return [...factories.keys()];
}

export function createStrategy<A>(name: string, ctx: StrategyContext<A>): Strategy<A> {
  const factory = factories.get(name);
  if (!factory) throw new UserError(`unknown strategy "${name}": use one of ${strategyNames().join(', ')}`);
  return factory(ctx);
}
