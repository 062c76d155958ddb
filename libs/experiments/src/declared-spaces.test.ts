import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '@dcl-enas/common';
import { decode, ExperimentSpec, type TrialOutcome, type TrialRequest } from '@dcl-enas/contracts';
import type { ConfigOverrides } from '@dcl-enas/predictor';
import { createStrategy, runEmbedded } from '@dcl-enas/search';
import { problemFor } from './problems';
import { validateSpecNames } from './validate-spec';

/** A small GNN, so that stage 1 and the fits take seconds. */
const SMALL_GNN: ConfigOverrides = {
  encoder: { hidden: 16, layers: 2 },
  pretrain: { epochs: 1, sampleSize: 256, batchSize: 64 },
  finetune: { epochs: 4, refreshEpochs: 2, patience: 4, batchSize: 32, headHidden: 8, minEpochs: 2 },
};

const SPACES = {
  cell: { type: 'cell', name: 'my-cell', nodes: 4, ops: ['none', 'skip', 'conv3', 'conv5', 'pool'] },
  dag: { type: 'dag', name: 'my-dag', maxNodes: 6, maxEdges: 8, ops: ['conv3', 'conv1', 'pool'] },
  layers: { type: 'layers', name: 'my-net', layers: 4, choices: { op: ['mbconv3', 'mbconv5', 'skip'], width: [16, 32, 64], expand: [3, 6] } },
} as const;

/**
 * A stand-in for the user's training code (trial commands come with the trial protocol): a
 * score that depends on the architecture's graph, so the predictor has something to learn, and
 * a deterministic jitter from its key. It reads nothing but the request.
 */
function syntheticTrainer(space: ReturnType<typeof problemFor>['space']) {
  return (trial: TrialRequest): TrialOutcome => {
    const graph = space.toGraph(space.parse(trial.arch));
    let edges = 0;
    for (const a of graph.adjacency) edges += a;
    const jitter = createHash('sha256').update(trial.key).digest()[0] / 255;
    const valAcc = 50 + 3 * graph.nodeCount + edges + 5 * jitter;
    return { valAcc, testAcc: valAcc - 1, trainSeconds: 1 };
  };
}

describe('declared spaces through the one search loop (synthetic trainer)', () => {
  for (const [type, definition] of Object.entries(SPACES)) {
    it(`type ${type}: a spec declares it, dcl-enas searches it end to end, and its stage-1 encoder is cached`, async () => {
      const spec = decode(ExperimentSpec, { apiVersion: 'enas/v1', kind: 'Experiment', space: definition, dataset: 'my-data', strategy: 'dcl-enas', seed: 3, queries: 30 }, 'spec');
      expect(() => validateSpecNames(spec)).toThrow(/^trial\.command: my-[a-z]+ is a declared space, whose candidates your own command trains/);
      const problem = problemFor(spec.space);
      expect(problem.spaceType).toBe(type);
      const space = problem.space;
      const cacheDir = mkdtempSync(join(tmpdir(), `enas-declared-${type}-`));
      const logs: string[] = [];
      // problems.ts loads the predictor lazily (it brings TensorFlow.js); so does this test
      const { inProcessPredictors } = await import('@dcl-enas/predictor');
      const search = async () => {
        const predictors = inProcessPredictors(space, { config: SMALL_GNN, cacheDir, log: (l) => logs.push(l) });
        const strategy = createStrategy('dcl-enas', { space, rng: Rng.seeded(spec.seed), seed: spec.seed, budget: spec.queries, predictors });
        return runEmbedded({ id: `declared-${type}`, spec, space, strategy, evaluate: syntheticTrainer(space) });
      };
      const first = await search();
      expect(first.end).toEqual({ status: 'completed' });
      expect(first.history).toHaveLength(30);
      expect(new Set(first.history.map((h) => h.key)).size).toBe(30);
      for (const h of first.history) expect(space.key(space.parse(h.arch))).toBe(h.key);
      expect(first.run.best!.valAcc).toBe(Math.max(...first.history.map((h) => h.valAcc)));
      expect(readdirSync(cacheDir).length).toBeGreaterThan(0);

      logs.length = 0;
      const second = await search();
      expect(logs.some((l) => l.startsWith('stage 1: cached encoder'))).toBe(true);
      expect(second.history.map((h) => h.key)).toEqual(first.history.map((h) => h.key));
    }, 180_000);
  }

  it('keys the stage-1 cache by the canonical definition: same name, other ops, another encoder; field order alone, the same', async () => {
    const { encoderFingerprint, variantConfig } = await import('@dcl-enas/predictor');
    const cfg = variantConfig('dcl', SMALL_GNN);
    const key = (definition: object) => encoderFingerprint(problemFor(decode(ExperimentSpec, { apiVersion: 'enas/v1', kind: 'Experiment', space: definition, dataset: 'd', strategy: 'rea', queries: 5 }, 'spec').space).space, cfg, 0);
    const base = key(SPACES.cell);
    expect(key({ ...SPACES.cell, ops: ['none', 'skip', 'conv3', 'conv7', 'pool'] })).not.toBe(base);
    expect(key({ ops: SPACES.cell.ops, nodes: 4, name: 'my-cell', type: 'cell' })).toBe(base);
    expect(key(SPACES.layers)).not.toBe(key({ ...SPACES.layers, choices: { ...SPACES.layers.choices, expand: [3, 4] } }));
  });
});
