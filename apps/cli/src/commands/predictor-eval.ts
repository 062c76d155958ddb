import { Command, Option } from 'commander';
import { labelledSetFor } from '@dcl-enas/experiments';
import { resolveDataDir } from '@dcl-enas/common';
import type { EvalTarget, Variant } from '@dcl-enas/predictor';
import { positiveInt, seed, seedRange } from '../options';

interface PredictorEvalFlags {
  space: string;
  dataset: string;
  trainSize: number;
  seeds: number[];
  variant: Variant;
  target?: EvalTarget;
  pretrainSeed?: number;
  json?: boolean;
}

export function registerPredictorEval(program: Command): void {
  program
    .command('predictor-eval')
    .description("rank quality of the predictor: Kendall's tau and Spearman on every architecture not trained on")
    .requiredOption('--space <space>', 'search space: nb201, nb101 (the shipped 500-line subset: 292 distinct cells)')
    .requiredOption('--dataset <dataset>', 'dataset: cifar10, cifar100, imagenet16-120 (nb201); cifar10 (nb101)')
    .requiredOption('--train-size <n>', 'labelled architectures to train on', positiveInt)
    .option('--seeds <a..b>', 'seeds, inclusive range', seedRange, seedRange('0..4'))
    .addOption(new Option('--variant <name>', 'predictor variant').choices(['dcl', 'no-pretrain', 'regression']).default('dcl'))
    .addOption(new Option('--target <which>', 'nb201: test = 200-epoch test accuracy (default), val = 12-epoch validation accuracy').choices(['test', 'val']))
    .option('--pretrain-seed <s>', 'one stage-1 encoder (this seed) for every seed, instead of one per seed', seed)
    .option('--json', 'print exactly one JSON object on stdout')
    .action(async (flags: PredictorEvalFlags) => {
      const log = (line: string) => process.stderr.write(line + '\n');
      // TensorFlow.js loads only for the commands that need it
      const { evaluatePredictor } = await import('@dcl-enas/predictor');
      const data = await labelledSetFor(flags.space, resolveDataDir(), flags.dataset, flags.target);
      const { summary } = await evaluatePredictor(data, {
        trainSize: flags.trainSize,
        seeds: flags.seeds,
        variant: flags.variant,
        pretrainSeed: flags.pretrainSeed,
        log,
      });
      const result = { space: flags.space, dataset: flags.dataset, ...summary };
      if (flags.json) {
        process.stdout.write(JSON.stringify(result) + '\n');
        return;
      }
      const f = (m: { mean: number; std: number }) => `${m.mean.toFixed(4)} ± ${m.std.toFixed(4)}`;
      process.stdout.write(
        [
          `${flags.space} ${flags.dataset} · variant ${summary.variant} · trained on ${summary.trainSize}, ranked ${summary.testSize} · target ${summary.target}`,
          `Kendall tau  ${f(summary.kendallTau)}  (seeds ${flags.seeds[0]}..${flags.seeds[flags.seeds.length - 1]})`,
          `Spearman     ${f(summary.spearman)}`,
          `wall time    ${summary.wallSeconds.toFixed(1)} s`,
        ].join('\n') + '\n',
      );
    });
}
