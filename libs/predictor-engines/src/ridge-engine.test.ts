import { describe, expect, it } from 'vitest';
import { Rng, kendallTau } from '@dcl-enas/common';
import { nb201Space, type Nb201Arch } from '@dcl-enas/spaces';
import { ridgeEngine } from './ridge-engine';
import { inProcessPredictors } from './in-process';
import { choleskySolve } from './linear-algebra';

const request = { space: 'nb201', variant: 'dcl', seed: 0 };

/** A made-up but learnable target: counts of conv ops; enough to check the regression ranks. */
function synthetic(arch: Nb201Arch): number {
  const text = nb201Space.format(arch);
  return (text.match(/nor_conv_3x3/g)?.length ?? 0) * 2 + (text.match(/nor_conv_1x1/g)?.length ?? 0);
}

describe('ridge engine', () => {
  it('solves a small SPD system', () => {
    const x = choleskySolve(new Float64Array([4, 2, 2, 3]), new Float64Array([2, 1]), 2);
    expect(x[0]).toBeCloseTo(0.5, 12);
    expect(x[1]).toBeCloseTo(0, 12);
  });

  it('learns a ranking, and a restored state scores exactly like the original', async () => {
    const rng = Rng.seeded(1);
    const train = Array.from({ length: 60 }, () => nb201Space.sample(rng));
    const test = Array.from({ length: 200 }, () => nb201Space.sample(rng));
    const encoder = await ridgeEngine.pretrain(nb201Space, request);
    expect(encoder).not.toBeNull();
    const p = await ridgeEngine.create(nb201Space, request, encoder);
    await p.fit(train.map((arch) => ({ arch, key: nb201Space.key(arch), valAcc: synthetic(arch) })));
    const scores = await p.score(test);
    expect(kendallTau(Array.from(scores), test.map(synthetic))).toBeGreaterThan(0.6);
    const restored = await ridgeEngine.restore(nb201Space, request, await p.save(), encoder);
    expect(Array.from(await restored.score(test))).toEqual(Array.from(scores));
  });

  it('the in-process provider gives what create + fit gives', async () => {
    const rng = Rng.seeded(2);
    const archs = Array.from({ length: 30 }, () => nb201Space.sample(rng));
    const obs = archs.map((arch) => ({ arch, key: nb201Space.key(arch), valAcc: synthetic(arch) }));
    const provider = inProcessPredictors(ridgeEngine, () => nb201Space as never);
    const a = provider<Nb201Arch>({ ...request, variant: 'no-pretrain' });
    await a.fit(obs);
    const b = await ridgeEngine.create(nb201Space, { ...request, variant: 'no-pretrain' }, null);
    await b.fit(obs);
    expect(Array.from(await a.score(archs))).toEqual(Array.from(await b.score(archs)));
  });
});
