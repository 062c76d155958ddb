/** Figures shared by the trial-latency benchmarks (trial-latency.ts, trial-latency-cluster.ts). */

/** The value after `--name` on the command line, else `fallback`. */
export function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

/** Linear interpolation between the closest ranks (R's type 7); NaN entries are left out. */
export function quantile(xs: readonly number[], q: number): number {
  const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const h = (s.length - 1) * q;
  const lo = Math.floor(h);
  return s[lo] + (h - lo) * ((s[Math.min(lo + 1, s.length - 1)] ?? s[lo]) - s[lo]);
}

/** Milliseconds as a table cell: two decimals below 10, one above, a dash for none. */
export const ms = (x: number): string => (Number.isNaN(x) ? '–' : Math.abs(x) < 10 ? x.toFixed(2) : x.toFixed(1));
export const p50p99 = (xs: readonly number[]): string => `${ms(quantile(xs, 0.5))} / ${ms(quantile(xs, 0.99))}`;

/**
 * How many of the intervals [from, to] are open at once, over [first from, last to]: the mean,
 * the fraction of that time with at least `parallel` open, and the most at once.
 */
export function concurrency(intervals: readonly (readonly [number, number])[], parallel: number): { mean: number; full: number; most: number } {
  const edges = intervals.flatMap(([from, to]) => [
    { t: from, d: 1 },
    { t: to, d: -1 },
  ]);
  edges.sort((a, b) => a.t - b.t || a.d - b.d);
  let running = 0;
  let most = 0;
  let full = 0;
  let area = 0;
  for (let i = 0; i < edges.length; i++) {
    running += edges[i].d;
    most = Math.max(most, running);
    const span = (edges[i + 1]?.t ?? edges[i].t) - edges[i].t;
    area += running * span;
    if (running >= parallel) full += span;
  }
  const window = edges[edges.length - 1].t - edges[0].t;
  return { mean: area / window, full: full / window, most };
}
