import { mean, std } from '@dcl-enas/common';

/** One run's best-so-far test accuracy after each query. */
export interface CurveRun {
  readonly strategy: string;
  readonly values: readonly (number | null)[];
}

export interface CurvePoint {
  readonly strategy: string;
  readonly query: number;
  readonly mean: number;
  /** Mean minus / plus one standard error over runs. */
  readonly low: number;
  readonly high: number;
  readonly runs: number;
}

/** Mean best-so-far curve per strategy with a +-1 standard-error band, over all runs given. */
export function meanCurves(runs: readonly CurveRun[]): CurvePoint[] {
  const byStrategy = new Map<string, CurveRun[]>();
  for (const r of runs) byStrategy.set(r.strategy, [...(byStrategy.get(r.strategy) ?? []), r]);
  const points: CurvePoint[] = [];
  for (const [strategy, group] of byStrategy) {
    const length = Math.max(...group.map((r) => r.values.length));
    for (let q = 0; q < length; q++) {
      const xs = group.map((r) => r.values[q]).filter((v): v is number => v !== null && v !== undefined);
      if (xs.length === 0) continue;
      const m = mean(xs);
      const se = std(xs) / Math.sqrt(xs.length);
      points.push({ strategy, query: q + 1, mean: m, low: m - se, high: m + se, runs: xs.length });
    }
  }
  return points;
}

/** A Vega-Lite spec: one line per strategy, its band, optional dashed ceiling. */
export function curvesSpec(points: readonly CurvePoint[], options: { title: string; yTitle: string; ceiling?: number | null; seriesTitle?: string }): Record<string, unknown> {
  const x = { field: 'query', type: 'quantitative', title: 'architectures trained (queries)' };
  const color = { field: 'strategy', type: 'nominal', title: options.seriesTitle ?? 'strategy', legend: { labelLimit: 400 } };
  const layers: Record<string, unknown>[] = [
    {
      mark: { type: 'area', opacity: 0.18 },
      encoding: { x, y: { field: 'low', type: 'quantitative', scale: { zero: false } }, y2: { field: 'high' }, color },
    },
    { mark: { type: 'line', strokeWidth: 2 }, encoding: { x, y: { field: 'mean', type: 'quantitative', title: options.yTitle, scale: { zero: false } }, color } },
  ];
  if (options.ceiling != null) {
    layers.push({
      data: { values: [{ ceiling: options.ceiling }] },
      mark: { type: 'rule', strokeDash: [6, 4], color: '#555' },
      encoding: { y: { field: 'ceiling', type: 'quantitative' } },
    });
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: options.title,
    width: 640,
    height: 360,
    background: 'white',
    data: { values: points },
    layer: layers,
  };
}
