import { beforeAll, describe, expect, it } from 'vitest';
import { Rng, resolveDataDir } from '@dcl-enas/common';
import type { EcgSettings } from '@dcl-enas/contracts';
import { createStrategy, searchWithEvaluator } from '@dcl-enas/search';
import { ecgSpace } from '@dcl-enas/spaces';
import { initTf } from '@dcl-enas/tf-backend';
import { loadEcgData, type EcgData } from './ecg-data';
import { EcgEvaluator, trainFingerprint, type StoredCandidate } from './ecg-evaluator';
import { ecgRunOptions } from './ecg-settings';
import { EcgCvEvaluator, foldFingerprint, foldHoldoutSeeds, foldProtocols, foldTrainConfigs, loadEcgFolds, localFoldBackend } from './ecg-folds';
import { DEFAULT_MACRO } from './cell-network';
import { prepareEcgEvaluators } from './ecg-evaluators';
import { DEFAULT_TRAIN, type TrainConfig } from './trainer';

/** A few records: four DS1 records (one held out) and one DS2 record, one short epoch per candidate. */
const RECORDS = [201, 207, 208, 223, 232];
const HOLDOUT = { count: 1, seed: 0 };
const TINY: TrainConfig = { ...DEFAULT_TRAIN, epochs: 1, beatsPerClass: 48, batchSize: 48, holdoutNormalCap: 100 };

describe('ECG search end to end (tiny: 5 records, one short epoch per candidate)', () => {
  let data: EcgData;
  beforeAll(async () => {
    await initTf();
    data = await loadEcgData({ records: RECORDS, holdout: HOLDOUT });
  });

  it('splits the chosen records by patient and never tests on DS1', () => {
    expect(data.testRecords).toEqual([232]);
    expect(data.holdoutRecords).toHaveLength(1);
    expect([...data.trainRecords, ...data.holdoutRecords].sort()).toEqual([201, 207, 208, 223]);
    expect(new Set(data.holdout.beats.records).has(232)).toBe(false);
  });

  it('runs a search through the evaluator `search --space ecg --dataset mitdb` uses: hold-out macro-F1 as the signal, DS2 reported', async () => {
    const trained: StoredCandidate[] = [];
    const evaluator = (await prepareEcgEvaluators({ dataDir: resolveDataDir(), records: RECORDS, holdout: HOLDOUT, train: TINY, onTrained: (c) => trained.push(c) }))();
    const strategy = createStrategy('random', { space: evaluator.space, rng: Rng.seeded(1), seed: 1, budget: 3 });
    const outcome = await searchWithEvaluator({ evaluator, dataset: 'mitdb', strategy, queries: 3 });
    expect(trained).toHaveLength(3);
    expect(outcome.trajectory.map((p) => p.query)).toEqual([1, 2, 3]);
    const best = trained.reduce((b, c) => (c.holdout.macroF1 > b.holdout.macroF1 ? c : b));
    expect(outcome.best.valAcc).toBeCloseTo(100 * best.holdout.macroF1, 10);
    // the selected candidate was scored on DS2 (improving policy); its figure is the reported test value
    expect(outcome.best.testAcc).toBeCloseTo(100 * best.test!.macroF1, 10);
    for (const c of trained) {
      expect(c.holdout.macroF1).toBeGreaterThanOrEqual(0);
      expect(c.holdout.confusion.flat().reduce((a, b) => a + b, 0)).toBe(data.holdout.beats.size);
      expect(c.trainSeconds).toBeGreaterThan(0);
      if (c.test) expect(c.test.confusion.flat().reduce((a, b) => a + b, 0)).toBe(data.test.beats.size);
    }
  });

  it('reuses a known candidate instead of training it again, and trains the baseline under the same protocol', () => {
    const trained: StoredCandidate[] = [];
    const evaluator = new EcgEvaluator(data, { train: TINY, onTrained: (c) => trained.push(c) });
    const arch = ecgSpace.parse('|conv_3~0|+|none~0|skip_connect~1|+|none~0|none~1|max_pool_3~2|');
    const first = evaluator.query(arch, 'mitdb');
    const again = evaluator.query(arch, 'mitdb');
    expect(again).toEqual(first);
    expect(trained).toHaveLength(1);
    expect(trained[0].test).not.toBeNull(); // policy 'all' by default
    const baseline = evaluator.baseline();
    expect(baseline.parameters).toBe(19_415);
    expect(baseline.test?.perClass).toHaveLength(5);
    expect(() => evaluator.query(arch, 'cifar10')).toThrow(/unknown dataset "cifar10"/);

    // A cluster trainer: DS2 only when the candidate beats the search's best so far, which it is told.
    const trainer = new EcgEvaluator(data, { train: TINY, testPolicy: 'improving' });
    const notBetter = trainer.query(arch, 'mitdb', { testAbove: first.valAcc });
    expect([notBetter.valAcc, notBetter.testAcc]).toEqual([first.valAcc, null]);
    const better = trainer.query(arch, 'mitdb', { testAbove: null });
    expect([better.valAcc, better.testAcc]).toEqual([first.valAcc, first.testAcc]);
  });

  it('turns ECG settings (the spec\'s `ecg` field, `enas search --ecg`) into the published protocol with the given changes', () => {
    expect(ecgRunOptions()).toEqual({ train: DEFAULT_TRAIN });
    const tiny = ecgRunOptions({ records: RECORDS, holdout: HOLDOUT, train: { epochs: 1, beatsPerClass: 48, batchSize: 48, holdoutNormalCap: 100 } });
    expect(tiny).toEqual({ records: RECORDS, holdout: HOLDOUT, train: TINY });
    // The same protocol fingerprint: results trained under one are reused under the other.
    expect(trainFingerprint(tiny.train, DEFAULT_MACRO)).toBe(trainFingerprint(TINY, DEFAULT_MACRO));
    // One fold and equal quotas are the published protocol: the same options as when left out.
    expect(ecgRunOptions({ folds: 1, train: { balance: 'equal' } })).toStrictEqual({ train: DEFAULT_TRAIN });
  });

  it('turns `folds` and `train.balance` into the cross-validation protocol of tools/ecg-bench.ts --folds', () => {
    const cv = ecgRunOptions({ folds: 4, train: { epochs: 8, balance: 'sqrt' } });
    expect(cv.folds).toBe(4);
    expect(foldHoldoutSeeds(cv.holdout, 4)).toEqual([0, 1, 2, 3]);
    // The fold protocols of the run of 2026-11-28 (docs/results/ecg-2026-11-28, cv-baseline-sqrt.json):
    // `ecg-bench --folds 4 --epochs 8 --balance sqrt`, whose hold-out records of seeds 0..3 these are.
    const holdouts = [
      [101, 116, 119, 223],
      [114, 116, 122, 220],
      [115, 119, 124, 223],
      [106, 116, 118, 215],
    ];
    const train = foldTrainConfigs(cv.train, 4);
    expect(train.map((t, k) => foldFingerprint(t, DEFAULT_MACRO, holdouts[k]))).toEqual(['e746d832ff39', '975033628a3b', '905eb1a3cfc6', '691ff694a019']);
    // Seeds count on from the given ones.
    expect(foldHoldoutSeeds({ count: 1, seed: 5 }, 2)).toEqual([5, 6]);
    expect(foldTrainConfigs({ ...DEFAULT_TRAIN, seed: 3 }, 2).map((t) => t.seed)).toEqual([3, 4]);
  });
});

describe('ECG cross-validation inside DS1 (tiny: 5 records, two folds)', () => {
  it('averages the hold-out score over the folds, scores DS2 only for improving cells and reuses stored folds', async () => {
    await initTf();
    const folds = await loadEcgFolds([0, 1], { records: RECORDS, holdout: { count: 1 } });
    const train = [
      { ...TINY, seed: 0, balance: 'sqrt' as const },
      { ...TINY, seed: 1, balance: 'sqrt' as const },
    ];
    const protocols = foldProtocols(folds, train);
    expect(new Set(protocols).size).toBe(2);
    const trained: StoredCandidate[] = [];
    const backend = localFoldBackend(folds, train);
    const evaluator = new EcgCvEvaluator(backend, protocols, { testPolicy: 'improving', onTrained: (c) => trained.push(c) });
    const arch = ecgSpace.parse('|conv_3~0|+|none~0|skip_connect~1|+|none~0|none~1|max_pool_3~2|');
    const first = evaluator.query(arch, 'mitdb');
    expect(trained.map((c) => c.fold)).toEqual([0, 1]);
    expect(first.valAcc).toBeCloseTo((100 * (trained[0].holdout.macroF1 + trained[1].holdout.macroF1)) / 2, 10);
    expect(first.testAcc).toBeCloseTo((100 * (trained[0].test!.macroF1 + trained[1].test!.macroF1)) / 2, 10);
    // a second evaluator over the same store: nothing trained again; not improving on itself, so no DS2 asked for
    const again = new EcgCvEvaluator(backend, protocols, { testPolicy: 'improving', known: evaluator.known });
    expect(again.query(arch, 'mitdb')).toEqual(first);
    expect(trained).toHaveLength(2);
    // policy 'none' never scores DS2, not even for the baseline
    const dsOneOnly = new EcgCvEvaluator(backend, protocols, { testPolicy: 'none' });
    const base = dsOneOnly.baseline();
    expect(base.map((c) => c.test)).toEqual([null, null]);
    expect(base[0].parameters).toBe(19_415);
  });
});

describe('ECG settings to a search evaluator (prepareEcgEvaluators, embedded search and cluster trainer)', () => {
  it('gives the cross-validation evaluator for folds 2: valAcc the mean of its folds\' hold-out scores; a trainer told the best gets the same figures', async () => {
    const settings: EcgSettings = { records: RECORDS, holdout: { count: 1 }, folds: 2, train: { epochs: 1, beatsPerClass: 48, batchSize: 48, holdoutNormalCap: 100, balance: 'sqrt' } };
    const trained: StoredCandidate[] = [];
    const make = await prepareEcgEvaluators({ ...ecgRunOptions(settings), onTrained: (c) => trained.push(c) });
    const evaluator = make();
    expect(evaluator).toBeInstanceOf(EcgCvEvaluator);
    // Fold k: hold-out seed k, weight seed k, square-root quotas (the hand-built folds of the test above).
    const folds = await loadEcgFolds([0, 1], { records: RECORDS, holdout: { count: 1 } });
    expect((evaluator as EcgCvEvaluator).protocols).toEqual(foldProtocols(folds, [0, 1].map((k) => ({ ...TINY, seed: k, balance: 'sqrt' as const }))));
    // DS2 beats are held once for all folds.
    expect(folds[1].test.beats).toBe(folds[0].test.beats);

    const arch = ecgSpace.parse('|conv_3~0|+|none~0|skip_connect~1|+|none~0|none~1|max_pool_3~2|');
    const first = evaluator.query(arch, 'mitdb');
    expect(trained.map((c) => c.fold)).toEqual([0, 1]);
    expect(first.valAcc).toBeCloseTo((100 * (trained[0].holdout.macroF1 + trained[1].holdout.macroF1)) / 2, 10);
    expect(first.testAcc).toBeCloseTo((100 * (trained[0].test!.macroF1 + trained[1].test!.macroF1)) / 2, 10);
    expect(first.trainSeconds).toBe(trained[0].trainSeconds + trained[1].trainSeconds);

    // Another evaluator (a cluster trainer's): DS2 only when the mean hold-out score beats the best it is told.
    const trainer = make();
    const notBetter = trainer.query(arch, 'mitdb', { testAbove: first.valAcc });
    expect([notBetter.valAcc, notBetter.testAcc]).toEqual([first.valAcc, null]);
    const better = trainer.query(arch, 'mitdb', { testAbove: null });
    expect([better.valAcc, better.testAcc]).toEqual([first.valAcc, first.testAcc]);

    // One fold: the single hold-out evaluator, as before.
    const single = (await prepareEcgEvaluators(ecgRunOptions({ ...settings, folds: 1 })))();
    expect(single).toBeInstanceOf(EcgEvaluator);
  });
});
