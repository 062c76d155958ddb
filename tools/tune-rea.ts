/**
 * Chooses regularised evolution's population and tournament sizes on tuning seeds (100..124),
 * kept apart from the reporting seeds (0..24) so the reported comparison is not tuned on.
 * Run: npm run -s tool -- tools/tune-rea.ts
 */
import { mean, Rng, resolveDataDir } from '@dcl-enas/common';
import { openNb201 } from '@dcl-enas/benchmarks';
import { regularizedEvolution, searchWithEvaluator } from '@dcl-enas/search';

async function main(): Promise<void> {
  const seeds = Array.from({ length: 25 }, (_, i) => 100 + i);
  const datasets = ['cifar10', 'cifar100', 'imagenet16-120'];
  const rows: string[] = ['| population | tournament | ' + datasets.map((d) => `${d} @100`).join(' | ') + ' |', '|---:|---:|' + datasets.map(() => '---:').join('|') + '|'];
  for (const populationSize of [10, 20, 50])
    for (const tournamentSize of [3, 5, 10]) {
      if (tournamentSize > populationSize) continue;
      const cells: string[] = [];
      for (const dataset of datasets) {
        const { evaluator } = openNb201(dataset, resolveDataDir());
        const tests: number[] = [];
        for (const seed of seeds) {
          const strategy = regularizedEvolution(
            { space: evaluator.space, rng: Rng.seeded(seed), budget: 100 },
            { populationSize, tournamentSize, maxMutationTries: 100 },
          );
          const outcome = await searchWithEvaluator({ evaluator, dataset, strategy, queries: 100 });
          tests.push(outcome.best.testAcc!);
        }
        cells.push(mean(tests).toFixed(2));
      }
      rows.push(`| ${populationSize} | ${tournamentSize} | ${cells.join(' | ')} |`);
    }
  process.stdout.write(rows.join('\n') + '\n');
}

void main();
