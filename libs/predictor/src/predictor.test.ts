import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kendallTau, resolveDataDir, Rng, UserError } from '@dcl-enas/common';
import { nb101Space, nb201Space, type SearchSpace } from '@dcl-enas/spaces';
import { ArchPredictor, type PredictorOptions } from './predictor';
import type { ConfigOverrides } from './config';
import { evaluatePredictor, nb201Labelled } from './evaluate';
import { encoderFingerprint, pretrainedEncoder, pretrainedEncoders } from './pretrained-encoder';
import { ENCODER_PREFIX } from './encoder';
import { variantConfig } from './config';
import { fileSystemHandler, initTf, tf } from '@dcl-enas/tf-backend';

/** Small enough for a unit test: the real model, few weights, few epochs. */
const SMALL: ConfigOverrides = {
  encoder: { hidden: 8, layers: 2 },
  pretrain: { epochs: 1, sampleSize: 200, batchSize: 64, projection: 8 },
  finetune: { epochs: 20, refreshEpochs: 5, patience: 10, headHidden: 8, ensemble: 2 },
};

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'predictor-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const archs = (n: number, seed: number) => {
  const rng = Rng.seeded(seed);
  return Array.from({ length: n }, () => nb201Space.sample(rng));
};
const table = () => nb201Labelled(resolveDataDir(), 'cifar10', 'test');

describe('ArchPredictor', () => {
  it('learns a ranking, and saves and loads to identical scores', async () => {
    const data = table();
    const train = Rng.seeded(1).sample(data.archs.map((_, i) => i), 60);
    // with the stage-1 contrast kept on in fine-tuning, so its projection head is saved too
    const config = { ...SMALL, finetune: { ...SMALL.finetune, auxWeight: 0.5, auxBatch: 8 } };
    const p = await ArchPredictor.create(nb201Space, { variant: 'dcl', seed: 3, config, cacheDir: null });
    await p.fit(
      train.map((i) => data.archs[i]),
      train.map((i) => data.targets[i]),
    );
    const probe = Rng.seeded(2).sample(data.archs.map((_, i) => i), 500);
    const before = p.score(probe.map((i) => data.archs[i]));
    // even this tiny model ranks clearly better than chance
    expect(kendallTau(Array.from(before), probe.map((i) => data.targets[i]))).toBeGreaterThan(0.15);
    await p.save(join(dir, 'model'));
    const loaded = await ArchPredictor.load(join(dir, 'model'), nb201Space);
    expect(loaded.score(probe.map((i) => data.archs[i]))).toEqual(before);
    expect(loaded.labelledCount).toBe(60);
    // scores do not depend on what else is in the call
    expect(loaded.score(probe.slice(0, 7).map((i) => data.archs[i]))).toEqual(before.slice(0, 7));
    p.dispose();
    loaded.dispose();
  });

  it('refuses a model trained for another space, naming both', async () => {
    const p = await ArchPredictor.create(nb201Space, { variant: 'no-pretrain', seed: 1, config: SMALL });
    await p.fit(archs(20, 1), Array.from({ length: 20 }, (_, i) => i));
    await p.save(join(dir, 'nb201-model'));
    p.dispose();
    const attempt = ArchPredictor.load(join(dir, 'nb201-model'), nb101Space as SearchSpace<unknown>);
    await expect(attempt).rejects.toThrow(UserError);
    await expect(ArchPredictor.load(join(dir, 'nb201-model'), nb101Space as SearchSpace<unknown>)).rejects.toThrow(/trained for space "nb201", not "nb101"/);
    await expect(ArchPredictor.load(join(dir, 'nothing-here'), nb201Space)).rejects.toThrow(/cannot load a predictor/);
  });

  it('is deterministic under a seed, and refresh adds labels and moves the scores', async () => {
    const make = () => ArchPredictor.create(nb201Space, { variant: 'no-pretrain', seed: 7, config: SMALL });
    const x = archs(30, 2);
    const y = x.map((a) => a.filter((op) => op === 3).length + a.filter((op) => op === 0).length * -0.5);
    const [a, b] = [await make(), await make()];
    await a.fit(x, y);
    await b.fit(x, y);
    const probe = archs(50, 3);
    const first = a.score(probe);
    expect(b.score(probe)).toEqual(first);
    await a.refresh(archs(10, 4), Array.from({ length: 10 }, (_, i) => i));
    expect(a.labelledCount).toBe(40);
    expect(a.score(probe)).not.toEqual(first);
    a.dispose();
    b.dispose();
  });

  it('rejects mismatched labels with a clear message', async () => {
    const p = await ArchPredictor.create(nb201Space, { variant: 'regression', seed: 1, config: SMALL });
    await expect(p.fit(archs(3, 1), [1, 2])).rejects.toThrow(/3 architectures but 2 accuracies/);
    await expect(p.fit(archs(2, 1), [1, Number.NaN])).rejects.toThrow(/finite/);
  });
});

describe('ensemble members and stage-1 encoders', () => {
  it('member k starts from encoder k of stage-1 seeds s, s+1, ...; too few encoders are refused', async () => {
    const config: ConfigOverrides = { ...SMALL, finetune: { ...SMALL.finetune, epochs: 0 } };
    const cfg = variantConfig('dcl', config);
    const encoders = await pretrainedEncoders(nb201Space, cfg, { seed: 8, cacheDir: dir });
    expect(encoders.map((e) => e.fingerprint)).toEqual([encoderFingerprint(nb201Space, cfg, 8), encoderFingerprint(nb201Space, cfg, 9)]);
    // The number of encoders in use does not change any one encoder's identity (or its cache entry).
    expect(encoderFingerprint(nb201Space, variantConfig('dcl', { ...config, pretrain: { ...config.pretrain, encoders: 1 } }), 8)).toBe(encoders[0]!.fingerprint);

    const p = await ArchPredictor.create(nb201Space, { variant: 'dcl', seed: 1, config, encoders });
    await p.fit(archs(10, 1), Array.from({ length: 10 }, (_, i) => i));
    await p.save(join(dir, 'members'));
    p.dispose();
    const saved = await fileSystemHandler(join(dir, 'members')).load();
    const weights = tf.io.decodeWeights(saved.weightData!, saved.weightSpecs!);
    for (const [k, encoder] of encoders.entries())
      for (const [name, t] of encoder.weights) if (name.startsWith(ENCODER_PREFIX)) expect(weights[`m${k}/${name}`]!.dataSync()).toEqual(t.dataSync());

    await expect(ArchPredictor.create(nb201Space, { variant: 'dcl', seed: 1, config, encoders: encoders.slice(0, 1) })).rejects.toThrow(
      /needs 2 pre-trained encoders \(ensemble 2, pretrain.encoders 3\) but 1 were given/,
    );
  });
});

describe('stage-1 cache', () => {
  it('reuses a stored encoder only for the same space, config and seed', async () => {
    const cfg = variantConfig('dcl', SMALL);
    const logs: string[] = [];
    const first = await pretrainedEncoder(nb201Space, cfg, { seed: 5, cacheDir: dir, log: (l) => logs.push(l) });
    const again = await pretrainedEncoder(nb201Space, cfg, { seed: 5, cacheDir: dir, log: (l) => logs.push(l) });
    expect(logs.some((l) => l.startsWith('stage 1: cached encoder'))).toBe(true);
    for (const [name, t] of first.weights) expect(again.weights.get(name)?.dataSync()).toEqual(t.dataSync());
    const other = await pretrainedEncoder(nb201Space, cfg, { seed: 6, cacheDir: dir });
    expect(other.fingerprint).not.toBe(first.fingerprint);
  });

  it('trains a damaged cached encoder again (a crash or a full disk while it was written) instead of failing', async () => {
    await initTf();
    const cfg = variantConfig('dcl', SMALL);
    const cache = mkdtempSync(join(tmpdir(), 'encoder-cache-'));
    const first = await pretrainedEncoder(nb201Space, cfg, { seed: 7, cacheDir: cache });
    const entry = join(cache, readdirSync(cache)[0]);
    writeFileSync(join(entry, 'weights.bin'), Buffer.alloc(16)); // weights that do not belong to model.json
    const logs: string[] = [];
    const again = await pretrainedEncoder(nb201Space, cfg, { seed: 7, cacheDir: cache, log: (l) => logs.push(l) });
    expect(logs[0]).toMatch(/^stage 1: ignoring the cached encoder: damaged model at .*weights\.bin does not match model\.json/);
    for (const [name, t] of first.weights) expect(again.weights.get(name)?.dataSync()).toEqual(t.dataSync());
    const third: string[] = [];
    await pretrainedEncoder(nb201Space, cfg, { seed: 7, cacheDir: cache, log: (l) => third.push(l) });
    expect(third[0]).toMatch(/^stage 1: cached encoder/); // rewritten whole
    rmSync(cache, { recursive: true, force: true });
  });
});

describe('evaluatePredictor', () => {
  it('never scores an architecture it trained on, and scores all the others', async () => {
    const data = table();
    const fitted: string[][] = [];
    const scored: string[][] = [];
    const { summary, runs } = await evaluatePredictor(data, {
      trainSize: 40,
      seeds: [0, 1],
      variant: 'no-pretrain',
      config: SMALL,
      createPredictor: async <A>(space: SearchSpace<A>, options: PredictorOptions) => {
        const real = await ArchPredictor.create(space, options);
        return {
          fit: (a: readonly A[], y: readonly number[]) => {
            fitted.push(a.map((x) => space.format(x)));
            return real.fit(a, y);
          },
          score: (a: readonly A[]) => {
            scored.push(a.map((x) => space.format(x)));
            return real.score(a);
          },
          dispose: () => real.dispose(),
        };
      },
    });
    expect(summary.testSize).toBe(data.archs.length - 40);
    expect(runs.map((r) => r.seed)).toEqual([0, 1]);
    for (let k = 0; k < 2; k++) {
      const train = new Set(fitted[k]);
      expect(train.size).toBe(40);
      expect(scored[k].filter((s) => train.has(s))).toEqual([]);
      expect(new Set([...scored[k], ...fitted[k]]).size).toBe(data.archs.length);
    }
    // different seeds draw different training sets
    expect(fitted[0]).not.toEqual(fitted[1]);
    expect(summary.kendallTau.mean).toBeGreaterThan(0.2);
  });

  it('refuses impossible training sizes', async () => {
    await expect(evaluatePredictor(table(), { trainSize: 1, seeds: [0], variant: 'dcl' })).rejects.toThrow(/--train-size 1 is out of range/);
  });
});
