import { mean, std } from '@dcl-enas/common';
import type { BenchRunRecord } from './bench';

export interface BenchRow {
  readonly strategy: string;
  readonly queries: number;
  readonly runs: number;
  readonly testMean: number | null;
  readonly testStd: number | null;
  readonly valMean: number;
  readonly valStd: number;
  /** Runs whose selected architecture has the best validation accuracy in the whole table (null if unknown). */
  readonly ceilingHits: number | null;
}

export interface BenchSummary {
  readonly space: string;
  readonly dataset: string;
  readonly seeds: readonly number[];
  readonly rows: readonly BenchRow[];
}

/** Aggregates runs into one row per strategy x budget, in the order first seen. */
export function summarizeBench(
  records: readonly BenchRunRecord[],
  meta: { space: string; dataset: string; seeds: readonly number[]; bestValAcc: number | null },
): BenchSummary {
  const groups = new Map<string, BenchRunRecord[]>();
  for (const r of records) {
    const id = `${r.strategy}@${r.queries}`;
    groups.set(id, [...(groups.get(id) ?? []), r]);
  }
  const rows = [...groups.values()].map((runs): BenchRow => {
    const tests = runs.map((r) => r.bestTestAcc).filter((t): t is number => t !== null);
    const vals = runs.map((r) => r.bestValAcc);
    return {
      strategy: runs[0].strategy,
      queries: runs[0].queries,
      runs: runs.length,
      testMean: tests.length === runs.length ? mean(tests) : null,
      testStd: tests.length === runs.length ? std(tests) : null,
      valMean: mean(vals),
      valStd: std(vals),
      ceilingHits: meta.bestValAcc === null ? null : runs.filter((r) => r.bestValAcc >= meta.bestValAcc!).length,
    };
  });
  rows.sort((a, b) => a.queries - b.queries);
  return { space: meta.space, dataset: meta.dataset, seeds: meta.seeds, rows };
}

const fmt = (x: number | null, digits = 2) => (x === null ? 'n/a' : x.toFixed(digits));

export function benchMarkdown(summary: BenchSummary, command: string, date = new Date().toISOString().slice(0, 10)): string {
  const lines = [
    `### ${summary.space} / ${summary.dataset}`,
    '',
    `Seeds ${summary.seeds[0]}..${summary.seeds[summary.seeds.length - 1]} (${summary.seeds.length} runs per row); ${date}.`,
    `Selected architecture = best validation accuracy among the queries; test accuracy reported only.`,
    '',
    '| strategy | queries | runs | test mean | test std | val mean | val std | ceiling hits |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...summary.rows.map(
      (r) =>
        `| ${r.strategy} | ${r.queries} | ${r.runs} | ${fmt(r.testMean)} | ${fmt(r.testStd)} | ${fmt(r.valMean)} | ${fmt(r.valStd)} | ${r.ceilingHits ?? 'n/a'} |`,
    ),
    '',
    `Command: \`${command}\``,
    '',
  ];
  return lines.join('\n');
}

export function benchCsv(summary: BenchSummary): string {
  const header = 'space,dataset,strategy,queries,runs,test_mean,test_std,val_mean,val_std,ceiling_hits';
  const body = summary.rows.map((r) =>
    [summary.space, summary.dataset, r.strategy, r.queries, r.runs, r.testMean ?? '', r.testStd ?? '', r.valMean, r.valStd, r.ceilingHits ?? ''].join(','),
  );
  return [header, ...body].join('\n') + '\n';
}
