// Folds the event log of 60-query nb201 searches through the dashboard's tracker and prints the old and new measures.
// npm run -s tool -- tools/bench/dashboard-tau.ts [dataset] [queries] [strategies] [seeds]
import { Rng, resolveDataDir } from '@dcl-enas/common';
import type { ExperimentEvent, ExperimentSpec } from '@dcl-enas/contracts';
import { ExperimentTracker, recordPredictions } from '@dcl-enas/dashboard';
import { evaluateRequest, problemFor } from '@dcl-enas/experiments';
import { inProcessPredictors } from '@dcl-enas/predictor';
import { createStrategy, runEmbedded, type PredictorProvider, type RankingPredictor } from '@dcl-enas/search';

const [dataset = 'cifar100', queries = '60', names = 'dcl-enas,dcl-enas-regression,dcl-enas-no-pretrain,random-scores', seeds = '0,1,2'] = process.argv.slice(2);

/** "random-scores": dcl-enas whose predictor scores every architecture uniformly at random (a predictor that cannot rank). */
const atRandom = (seed: number): PredictorProvider => {
  const rng = Rng.seeded(1000 + seed);
  return <A>(): RankingPredictor<A> => ({ fit: () => Promise.resolve(), score: (archs) => Promise.resolve(Float32Array.from(archs, () => rng.float())) });
};

async function main(): Promise<void> {
  const dataDir = resolveDataDir();
  const opened = await problemFor('nb201').open(dataset, { dataDir });
  const space = opened.evaluator.space;
  const f = (x: number | null | undefined, sign = false) => (x === null || x === undefined ? 'n/a' : (sign && x >= 0 ? '+' : '') + x.toFixed(3));
  for (const name of names.split(',')) {
    for (const seed of seeds.split(',').map(Number)) {
      const strategyName = name === 'random-scores' ? 'dcl-enas' : name;
      const recorder = recordPredictions(name === 'random-scores' ? atRandom(seed) : inProcessPredictors(space), space);
      const strategy = createStrategy(strategyName, { space, rng: Rng.seeded(seed), seed, budget: Number(queries), predictors: recorder.provider });
      const spec: ExperimentSpec = { apiVersion: 'enas/v1', kind: 'Experiment', space: 'nb201', dataset, strategy: strategyName, seed, queries: Number(queries), batchSize: 1 };
      const events: ExperimentEvent[] = [];
      await runEmbedded({ id: 'x', spec, space, strategy, evaluate: (t) => evaluateRequest(t, { dataDir }), onEvent: (e) => events.push(e), predictions: recorder.prediction });
      // the dashboard's view, from the event log alone
      const tracker = new ExperimentTracker('x', { stuckAfterSeconds: 600 });
      for (const e of events) tracker.apply(e);
      const m = tracker.model(0);
      const taus = m.cycles.map((c) => c.tau).filter((t): t is number => t !== null);
      const batchTau = taus.reduce((a, b) => a + b, 0) / taus.length;
      console.log(`| ${name} | ${seed} | ${m.best?.valAcc.toFixed(2)} | ${f(batchTau, true)} | ${f(m.tauOverall, true)} | ${f(m.ranking?.hitRate)} | ${f(m.ranking?.beatBestRate)} |`);
    }
  }
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
