import { describe, expect, it } from 'vitest';
import { Rng } from '@dcl-enas/common';
import { inProcessPredictors } from '@dcl-enas/predictor';
import { nb201Space, type Nb201Arch } from '@dcl-enas/spaces';
import { gnnEngine } from './gnn-engine';
import { engineByName, engineNames } from './registry';

/** A small configuration: the contract (save/restore, equality with embedded mode) does not depend on size. */
const config = {
  encoder: { hidden: 16, layers: 2 },
  pretrain: { epochs: 1, sampleSize: 256, batchSize: 64 },
  finetune: { epochs: 4, refreshEpochs: 2, patience: 4, batchSize: 32, headHidden: 8, minEpochs: 2 },
};

const rng = Rng.seeded(8);
const archs = Array.from({ length: 60 }, () => nb201Space.sample(rng));
const labelled = archs.slice(0, 30).map((arch, i) => ({ arch, key: nb201Space.key(arch), valAcc: 40 + ((i * 11) % 37) }));
const request = { space: 'nb201', variant: 'dcl', seed: 3 };

describe('gnn engine', () => {
  it('refuses, at construction, a config whose members would need several pre-trained encoders (the service passes one)', () => {
    expect(() => gnnEngine({ config: { finetune: { ensemble: 3 } } })).toThrow(/needs 3 \(ensemble > 1 with pretrain.encoders > 1\): set one of them to 1/);
    expect(() => gnnEngine({ config: { finetune: { ensemble: 3 }, pretrain: { encoders: 1 } } })).not.toThrow();
  });

  it('restores a saved predictor that continues exactly, and matches the embedded predictor', async () => {
    const engine = gnnEngine({ config, cacheDir: null });
    const encoder = await engine.pretrain(nb201Space, request);
    expect(engine.encoderKey(nb201Space, request)).toMatch(/^gnn-nb201-[0-9a-f]{16}$/);
    expect(engine.encoderKey(nb201Space, { ...request, variant: 'no-pretrain' })).toBeNull();

    const original = await engine.create(nb201Space, request, encoder);
    await original.fit(labelled.slice(0, 20));
    const restored = await engine.restore(nb201Space, request, await original.save(), encoder);
    expect(Array.from(await restored.score(archs))).toEqual(Array.from(await original.score(archs)));

    await original.fit(labelled);
    await restored.fit(labelled);
    const afterRefresh = Array.from(await original.score(archs));
    expect(Array.from(await restored.score(archs))).toEqual(afterRefresh);

    // A replica holding the session at its first fit continues it rather than starting over.
    const behind = await engine.create(nb201Space, request, encoder);
    await behind.fit(labelled.slice(0, 20));
    const caughtUp = await engine.restore(nb201Space, request, await original.save(), encoder, behind);
    expect(caughtUp).toBe(behind);
    expect(Array.from(await caughtUp.score(archs))).toEqual(afterRefresh);

    const embedded = inProcessPredictors(nb201Space, { config, cacheDir: null, pretrainSeed: 0 })<Nb201Arch>(request);
    await embedded.fit(labelled.slice(0, 20));
    await embedded.fit(labelled);
    expect(Array.from(await embedded.score(archs))).toEqual(afterRefresh);
    original.dispose();
    restored.dispose();
  }, 120_000);

  it('is listed and loaded on first use', () => {
    expect(engineNames()).toEqual(['ridge', 'gnn']);
    expect(engineByName('ridge').name).toBe('ridge');
    expect(() => engineByName('xgboost')).toThrow(/unknown predictor engine "xgboost": use one of ridge, gnn/);
  });
});
