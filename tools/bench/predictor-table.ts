/*
 * The predictor results table (issue 3): Kendall's tau / Spearman of every variant, side by
 * side in one run, on the same splits (the split depends on the seed only).
 *
 *   npm run -s tool -- tools/bench/predictor-table.ts [--out DIR] [--seeds 0..4] [--rows ROWS] [--config JSON]
 *
 * --config patches the variant presets (ConfigOverrides as JSON), for tuning runs;
 * --pretrain-seed S shares one stage-1 encoder (seed S) across the seeds.
 * ROWS: comma-separated space:dataset:trainSize[:variants], variants joined with '+'
 * (default: the issue's table). Each finished cell is appended to DIR/rows.jsonl, so an
 * interrupted run resumes; the markdown table is printed at the end (and written to DIR/table.md).
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveDataDir } from '@dcl-enas/common';
import { initTf } from '@dcl-enas/tf-backend';
import { labelledSetFor } from '@dcl-enas/experiments';
import { evaluatePredictor, VARIANTS, type ConfigOverrides, type EvalSummary, type Variant } from '@dcl-enas/predictor';

const ALL = VARIANTS.join('+');
const DEFAULT_ROWS = [
  `nb201:cifar10:78:${ALL}`,
  `nb201:cifar10:156:${ALL}`,
  `nb201:cifar10:469:${ALL}`,
  `nb201:cifar100:78:${ALL}`,
  `nb201:cifar100:156:${ALL}`,
  'nb201:cifar100:469:dcl',
  `nb201:imagenet16-120:78:${ALL}`,
  `nb201:imagenet16-120:156:${ALL}`,
  'nb201:imagenet16-120:469:dcl',
  `nb101:cifar10:100:${ALL}`,
].join(',');

interface Row extends EvalSummary {
  readonly space: string;
  readonly dataset: string;
  readonly config: string;
}

const flag = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};

async function main(): Promise<void> {
  const log = (line: string) => process.stderr.write(line + '\n');
  await initTf({ log });
  const out = flag('--out') ?? 'bench-out/predictor';
  mkdirSync(out, { recursive: true });
  const [from, to] = (flag('--seeds') ?? '0..4').split('..').map(Number);
  const seeds = Array.from({ length: (to ?? from) - from + 1 }, (_, i) => from + i);
  const store = join(out, 'rows.jsonl');
  const done: Row[] = existsSync(store) ? readFileSync(store, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Row) : [];
  const configText = flag('--config') ?? '{}';
  const config = JSON.parse(configText) as ConfigOverrides;
  const id = (space: string, dataset: string, size: number, variant: string, cfg: string) => `${space}:${dataset}:${size}:${variant}:${seeds.join(',')}:${cfg}`;
  const have = new Set(done.map((r) => id(r.space, r.dataset, r.trainSize, r.variant, r.config)));
  const dataDir = resolveDataDir();
  for (const spec of (flag('--rows') ?? DEFAULT_ROWS).split(',')) {
    const [space, dataset, size, variants = ALL] = spec.split(':');
    const data = await labelledSetFor(space, dataDir, dataset);
    for (const variant of variants.split('+') as Variant[]) {
      if (have.has(id(space, dataset, Number(size), variant, configText))) continue;
      log(`${space} ${dataset} n=${size} ${variant}`);
      const pretrainSeed = flag('--pretrain-seed') === undefined ? undefined : Number(flag('--pretrain-seed'));
      const { summary } = await evaluatePredictor(data, { trainSize: Number(size), seeds, variant, config, log, pretrainSeed });
      const row: Row = { space, dataset, config: configText, ...summary };
      appendFileSync(store, JSON.stringify(row) + '\n');
      done.push(row);
    }
  }
  const table = markdown(done.filter((r) => r.seeds.join(',') === seeds.join(',') && r.config === configText));
  writeFileSync(join(out, 'table.md'), table);
  process.stdout.write(table);
}

function markdown(rows: readonly Row[]): string {
  const groups = new Map<string, Row[]>();
  for (const r of rows) {
    const key = `${r.space}|${r.dataset}|${r.trainSize}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const cell = (r: Row | undefined) => (r ? `${r.kendallTau.mean.toFixed(3)} ± ${r.kendallTau.std.toFixed(3)} (ρ ${r.spearman.mean.toFixed(3)})` : '–');
  const lines = [
    `| space | dataset | target | train | ranked | ${VARIANTS.map((v) => `${v}: tau ± sd (Spearman)`).join(' | ')} | fit s (dcl, mean) |`,
    `|---|---|---|---|---|${VARIANTS.map(() => '---').join('|')}|---|`,
  ];
  for (const group of groups.values()) {
    const first = group[0];
    const by = (v: string) => group.find((r) => r.variant === v);
    const dcl = by('dcl');
    const fit = dcl ? (dcl.runs.reduce((s, r) => s + r.fitSeconds, 0) / dcl.runs.length).toFixed(1) : '–';
    lines.push(`| ${first.space} | ${first.dataset} | ${first.target} | ${first.trainSize} | ${first.testSize} | ${VARIANTS.map((v) => cell(by(v))).join(' | ')} | ${fit} |`);
  }
  return lines.join('\n') + '\n';
}

main().catch((e) => {
  process.stderr.write(`predictor-table: ${(e as Error).message}\n`);
  process.exit(1);
});
