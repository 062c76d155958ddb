import { describe, expect, it } from 'vitest';
import { mkdtempSync, appendFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveDataDir } from '@dcl-enas/common';
import { evaluateTrial, loadNb201, Nb201Evaluator } from '@dcl-enas/benchmarks';
import { runBench, runId, type BenchRunRecord } from './bench';
import { BenchStore } from './bench-store';
import { benchCsv, benchMarkdown, summarizeBench } from './bench-report';

const evaluator = new Nb201Evaluator(loadNb201(resolveDataDir()));
const plan = { strategies: ['random', 'rea'], budgets: [20, 40], seeds: [0, 1, 2] };
const scope = { space: 'nb201', dataset: 'cifar10' };

async function bench(store: BenchStore, stopAfter = Infinity): Promise<void> {
  let n = 0;
  const done = new Set(store.load().map(runId));
  await runBench({
    space: evaluator.space,
    spaceName: 'nb201',
    dataset: 'cifar10',
    evaluate: (trial) => evaluateTrial(evaluator, trial),
    plan,
    done,
    onRecord: (r) => {
      if (n++ >= stopAfter) throw new Error('interrupted');
      store.append(r);
    },
  });
}

describe('bench', () => {
  it('resumes an interrupted bench to the same records as an uninterrupted one', async () => {
    const whole = new BenchStore(mkdtempSync(join(tmpdir(), 'bench-')), scope);
    await bench(whole);
    const resumed = new BenchStore(mkdtempSync(join(tmpdir(), 'bench-')), scope);
    await expect(bench(resumed, 5)).rejects.toThrow('interrupted');
    appendFileSync(resumed.file, '{"space":"nb201","datas'); // a write torn by the crash
    expect(resumed.load()).toHaveLength(5);
    await bench(resumed);
    const strip = (rs: BenchRunRecord[]) => rs.map(({ wallSeconds: _w, ...r }) => r).sort((a, b) => runId(a).localeCompare(runId(b)));
    expect(strip(resumed.load())).toEqual(strip(whole.load()));
    expect(whole.load()).toHaveLength(12);
  });

  it('drops a last record whose newline never reached the disk, so the next append cannot run into it', async () => {
    const store = new BenchStore(mkdtempSync(join(tmpdir(), 'bench-')), scope);
    await expect(bench(store, 3)).rejects.toThrow('interrupted');
    const [first] = store.load();
    appendFileSync(store.file, JSON.stringify({ ...first, seed: 99 })); // whole JSON, torn before its newline
    expect(store.load().map(runId)).toEqual(['random@20#0', 'random@40#0', 'rea@20#0']);
    await bench(store);
    const lines = readFileSync(store.file, 'utf8').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((l) => runId(JSON.parse(l)))).toEqual(store.load().map(runId));
    expect(store.load()).toHaveLength(12);
  });

  it('reads a run recorded twice once', async () => {
    const store = new BenchStore(mkdtempSync(join(tmpdir(), 'bench-')), scope);
    await expect(bench(store, 2)).rejects.toThrow('interrupted');
    appendFileSync(store.file, readFileSync(store.file, 'utf8').split('\n')[0] + '\n');
    expect(store.load().map(runId)).toEqual(['random@20#0', 'random@40#0']);
  });

  it('summarises one row per strategy and budget with ceiling hits', async () => {
    const store = new BenchStore(mkdtempSync(join(tmpdir(), 'bench-')), scope);
    await bench(store);
    const records = store.load();
    const ceiling = evaluator.ceiling('cifar10');
    const summary = summarizeBench(records, { ...scope, seeds: plan.seeds, bestValAcc: ceiling.bestValAcc });
    expect(summary.rows.map((r) => `${r.strategy}@${r.queries}`)).toEqual(['random@20', 'rea@20', 'random@40', 'rea@40']);
    for (const row of summary.rows) {
      const runs = records.filter((r) => r.strategy === row.strategy && r.queries === row.queries);
      expect(row.runs).toBe(3);
      expect(row.testMean).toBeCloseTo(runs.reduce((s, r) => s + r.bestTestAcc!, 0) / 3, 10);
      expect(row.ceilingHits).toBe(runs.filter((r) => r.bestValAcc === ceiling.bestValAcc).length);
    }
    expect(benchCsv(summary).split('\n')[0]).toBe('space,dataset,strategy,queries,runs,test_mean,test_std,val_mean,val_std,ceiling_hits,median_queries_to_ceiling');
  });

  it('reports the median query at which runs first reached the ceiling, and more than the budget when most never did', () => {
    const run = (seed: number, valTrajectory: number[]) => ({
      ...{ space: 'nb201', dataset: 'cifar10', strategy: 's', queries: 4, seed, bestArch: '', bestKey: '', bestTestAcc: null, testTrajectory: [], simulatedGpuSeconds: null, wallSeconds: 0 },
      bestValAcc: Math.max(...valTrajectory),
      valTrajectory,
    });
    const meta = { space: 'nb201', dataset: 'cifar10', seeds: [0, 1, 2], bestValAcc: 90 };
    const reached = summarizeBench([run(0, [80, 90, 90, 90]), run(1, [80, 85, 88, 90]), run(2, [90, 90, 90, 90])], meta).rows[0]!;
    expect(reached.medianQueriesToCeiling).toBe(2);
    const mostlyNot = summarizeBench([run(0, [80, 90, 90, 90]), run(1, [80, 85, 88, 89]), run(2, [70, 70, 70, 70])], meta);
    expect(mostlyNot.rows[0]!.medianQueriesToCeiling).toBe(Infinity);
    expect(benchMarkdown(mostlyNot, 'cmd')).toMatch(/\| 1 \| >4 \|$/m);
    // records written before the validation trajectory was kept
    const { valTrajectory: _v, ...old } = run(0, [90, 90, 90, 90]);
    expect(summarizeBench([old], meta).rows[0]!.medianQueriesToCeiling).toBeNull();
  });

  it('refuses a run log from another space or dataset', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-'));
    await bench(new BenchStore(dir, scope), 1).catch(() => undefined);
    expect(readFileSync(join(dir, 'runs.jsonl'), 'utf8')).toContain('"cifar10"');
    expect(() => new BenchStore(dir, { space: 'nb201', dataset: 'cifar100' }).load()).toThrow(/use another --out directory/);
  });
});
