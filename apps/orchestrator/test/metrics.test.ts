import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import parsePrometheusTextFormat, { type MetricFamily } from 'parse-prometheus-text-format';
import { Cluster, ROOT, type ServiceProcess } from './cluster-harness';
import { httpPort } from './service-http';

/** Every service's GET /metrics, after a real predictor-guided experiment ran through all of them. */
describe('Prometheus metrics', () => {
  let cluster: Cluster;
  const services: Record<string, ServiceProcess> = {};
  let id: string;

  beforeAll(async () => {
    cluster = await Cluster.start();
    services['orchestrator'] = await cluster.serve('orchestrator');
    services['encoder'] = await cluster.serve('encoder');
    services['predictor'] = await cluster.serve('predictor');
    services['trainer'] = await cluster.serve('trainer');
    id = await cluster.submit({ space: 'nb201', dataset: 'cifar10', strategy: 'dcl-enas', seed: 0, queries: 32, batchSize: 4 });
    await cluster.waitFor(id, (x) => x.status === 'completed', 120_000);
  });

  afterAll(async () => {
    await cluster?.dispose();
  });

  async function scrape(service: string, url?: string): Promise<Map<string, MetricFamily>> {
    const res = await fetch(url ?? `http://127.0.0.1:${httpPort(services[service])}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    const families = parsePrometheusTextFormat(text);
    // Every sample line belongs to a family the parser read (nothing it skipped over).
    const names = new Set(families.map((f) => f.name));
    for (const line of text.split('\n').filter((l) => l !== '' && !l.startsWith('#'))) {
      const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)![0];
      expect(names.has(name) || names.has(name.replace(/_(bucket|sum|count)$/, '')), `${service}: ${line}`).toBe(true);
    }
    return new Map(families.map((f) => [f.name, f]));
  }

  const value = (f: MetricFamily | undefined, labels: Record<string, string>): number => {
    const m = f?.metrics.find((s) => Object.entries(labels).every(([k, v]) => s.labels?.[k] === v));
    if (!m) throw new Error(`no sample of ${f?.name} with ${JSON.stringify(labels)}`);
    return Number(m.value ?? m.count);  // histograms: the observation count
  };

  it('orchestrator: trials by state, queue depth, predictor hit rate and tau, experiments', async () => {
    const m = await scrape('orchestrator', `${cluster.api}/metrics`);
    expect(m.get('enas_trials')!.type).toBe('GAUGE');
    expect(value(m.get('enas_trials'), { state: 'succeeded' })).toBe(32);
    expect(value(m.get('enas_trials'), { state: 'stuck' })).toBe(0);
    expect(value(m.get('enas_experiments'), { status: 'completed' })).toBe(1);
    const tau = value(m.get('enas_predictor_tau'), { experiment: id });
    expect(tau).toBeGreaterThanOrEqual(-1);
    expect(tau).toBeLessThanOrEqual(1);
    const hitRate = value(m.get('enas_predictor_hit_rate'), { experiment: id });
    expect(hitRate).toBeGreaterThanOrEqual(0);
    expect(hitRate).toBeLessThanOrEqual(1);
    expect(value(m.get('enas_trial_queue_depth'), { queue: 'waiting' })).toBe(0);
    expect(m.has('process_cpu_user_seconds_total')).toBe(true);
  });

  it('trainer: training seconds histogram, trials by outcome, queue depth', async () => {
    const m = await scrape('trainer');
    expect(m.get('enas_trainer_training_seconds')!.type).toBe('HISTOGRAM');
    expect(value(m.get('enas_trainer_training_seconds'), {})).toBe(32);
    expect(value(m.get('enas_trainer_trials_total'), { outcome: 'succeeded' })).toBe(32);
    expect(value(m.get('enas_trainer_recorded_gpu_seconds_total'), {})).toBeGreaterThan(0);
    expect(value(m.get('enas_trial_queue_depth'), { queue: 'with_trainers' })).toBe(0);
  });

  it('predictor: rank and fit latency histograms', async () => {
    const m = await scrape('predictor');
    expect(m.get('enas_predictor_rank_seconds')!.type).toBe('HISTOGRAM');
    // 32 queries, 20 random then 5 per cycle: 3 fits, each followed by several rankings.
    expect(value(m.get('enas_predictor_fit_seconds'), {})).toBe(3);
    expect(value(m.get('enas_predictor_rank_seconds'), {})).toBeGreaterThan(3);
  });

  it('the Grafana dashboard queries only metrics the services export', async () => {
    const exported = new Set<string>();
    for (const s of Object.keys(services)) for (const name of (await scrape(s)).keys()) exported.add(name);
    const dashboard = JSON.parse(readFileSync(join(ROOT, 'k8s', 'grafana', 'dcl-enas-dashboard.json'), 'utf8')) as { panels: { targets?: { expr: string }[] }[] };
    const queried = new Set(dashboard.panels.flatMap((p) => p.targets ?? []).flatMap((t) => t.expr.match(/\b(enas|process)_[a-z_]+/g) ?? []).map((n) => n.replace(/_(bucket|sum|count)$/, '')));
    expect(queried.size).toBeGreaterThan(10);
    expect([...queried].filter((n) => !exported.has(n))).toEqual([]);
  });

  it('encoder: pre-training latency histogram', async () => {
    const m = await scrape('encoder');
    expect(m.get('enas_encoder_pretrain_seconds')!.type).toBe('HISTOGRAM');
    expect(m.has('nodejs_heap_size_used_bytes')).toBe(true);
  });
});
