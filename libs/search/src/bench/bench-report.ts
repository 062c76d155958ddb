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
  /**
   * Median over runs of the query at which the run first had the table's best validation
   * accuracy (Infinity when more than half never did); null when unknown. Tells apart
   * strategies that all end at the ceiling.
   */
  readonly medianQueriesToCeiling: number | null;
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
      medianQueriesToCeiling: medianQueriesToCeiling(runs, meta.bestValAcc),
    };
  });
  rows.sort((a, b) => a.queries - b.queries);
  return { space: meta.space, dataset: meta.dataset, seeds: meta.seeds, rows };
}

function medianQueriesToCeiling(runs: readonly BenchRunRecord[], bestValAcc: number | null): number | null {
  if (bestValAcc === null || runs.some((r) => !r.valTrajectory)) return null;
  const firstHits = runs.map((r) => r.valTrajectory!.findIndex((v) => v >= bestValAcc) + 1 || Infinity).sort((a, b) => a - b);
  const mid = firstHits.length / 2;
  return Number.isInteger(mid) ? (firstHits[mid - 1] + firstHits[mid]) / 2 : firstHits[Math.floor(mid)];
}

/** The median-queries-to-ceiling cell: a number, `>budget`, or n/a. */
export const queriesToCeilingText = (r: BenchRow): string => (r.medianQueriesToCeiling === null ? 'n/a' : Number.isFinite(r.medianQueriesToCeiling) ? String(r.medianQueriesToCeiling) : `>${r.queries}`);

const fmt = (x: number | null, digits = 2) => (x === null ? 'n/a' : x.toFixed(digits));

export function benchMarkdown(summary: BenchSummary, command: string, date = new Date().toISOString().slice(0, 10)): string {
  const lines = [
    `### ${summary.space} / ${summary.dataset}`,
    '',
    `Seeds ${summary.seeds[0]}..${summary.seeds[summary.seeds.length - 1]} (${summary.seeds.length} runs per row); ${date}.`,
    `Selected architecture = best validation accuracy among the queries; test accuracy reported only.`,
    '',
    '| strategy | queries | runs | test mean | test std | val mean | val std | ceiling hits | median queries to ceiling |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...summary.rows.map(
      (r) =>
        `| ${r.strategy} | ${r.queries} | ${r.runs} | ${fmt(r.testMean)} | ${fmt(r.testStd)} | ${fmt(r.valMean)} | ${fmt(r.valStd)} | ${r.ceilingHits ?? 'n/a'} | ${queriesToCeilingText(r)} |`,
    ),
    '',
    `Command: \`${command}\``,
    '',
  ];
  return lines.join('\n');
}

export function benchCsv(summary: BenchSummary): string {
  const header = 'space,dataset,strategy,queries,runs,test_mean,test_std,val_mean,val_std,ceiling_hits,median_queries_to_ceiling';
  const body = summary.rows.map((r) =>
    [summary.space, summary.dataset, r.strategy, r.queries, r.runs, r.testMean ?? '', r.testStd ?? '', r.valMean, r.valStd, r.ceilingHits ?? '', r.medianQueriesToCeiling ?? ''].join(','),
  );
  return [header, ...body].join('\n') + '\n';
}
