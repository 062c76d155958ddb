/*
 * The ECG benchmark (docs/results/ecg.md): the hand-designed baseline, random search and
 * DCL-ENAS under one per-candidate training protocol and one candidate budget. Resumable:
 * every trained candidate is appended to <out>/candidates.jsonl and reused on the next run,
 * so an interrupted run continues where it stopped.
 *
 *   nice -n 10 npm run -s tool -- tools/ecg-bench.ts --queries 20 --seed 0 --out /tmp/ecg-bench
 *     [--parts baseline,dcl-enas,random,retrain,report] [--baseline-seeds 0,1,2]
 *
 * `retrain` trains each search's selected cell again with the baseline's weight seeds (the
 * search itself used seed 0), so that selected cells and baseline are compared over the same
 * seeds; `report` prints the markdown tables of docs/results/ecg.md from the files in <out>.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as os from 'node:os';
import { isMainThread, MessageChannel, type MessagePort, parentPort, receiveMessageOnPort, Worker, workerData } from 'node:worker_threads';
import { appendDurableSync, kendallTau, readJournalSync, Rng } from '@dcl-enas/common';
import { AAMI_CLASSES } from '@dcl-enas/ecg';
import {
  DEFAULT_TRAIN,
  EcgCvEvaluator,
  EcgEvaluator,
  evaluatePart,
  foldHoldoutSeeds,
  foldProtocols,
  foldTrainConfigs,
  knownKey,
  loadEcgData,
  loadEcgFolds,
  metricsFromConfusion,
  trainFold,
  type ClassificationMetrics,
  type EcgCvOptions,
  type EcgNet,
  type EpochBalance,
  type FoldBackend,
  type FoldJob,
  type FoldTrained,
  type StoredCandidate,
  type TrainConfig,
} from '@dcl-enas/ecg-model';
import { inProcessPredictors } from '@dcl-enas/predictor';
import { createStrategy, DCL_ENAS_DEFAULTS, dclEnas, searchWithEvaluator, type Strategy } from '@dcl-enas/search';
import { ecgSpace, type EcgArch } from '@dcl-enas/spaces';
import { initTf } from '@dcl-enas/tf-backend';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i].replace(/^--/, ''), process.argv[i + 1]);
const queries = Number(args.get('queries') ?? 20);
const seed = Number(args.get('seed') ?? 0);
const out = args.get('out') ?? '/tmp/ecg-bench';
const parts = (args.get('parts') ?? 'baseline,dcl-enas,random,retrain,report').split(',');
const SEARCHES = ['dcl-enas', 'random'];
const baselineSeeds = (args.get('baseline-seeds') ?? '0,1,2').split(',').map(Number);
/** Fewer initial random cells than the tabular default (20) so that a 20-query run has two predictor-guided cycles. */
const ECG_DCL = { ...DCL_ENAS_DEFAULTS, nInit: Number(args.get('n-init') ?? 10), nInfill: Number(args.get('n-infill') ?? 5) };

const log = (line: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);

/** `<out>/candidates.jsonl`: every trained result so far (a torn last line from a crash is cut off), by protocol and key. */
function openCandidateStore(what: string): { store: string; known: Map<string, StoredCandidate> } {
  const store = join(out, 'candidates.jsonl');
  const known = new Map<string, StoredCandidate>();
  for (const line of readJournalSync(store).lines) {
    const c = JSON.parse(line) as StoredCandidate;
    known.set(knownKey(c.protocol, c.key), c);
  }
  if (known.size > 0) log(`resuming: ${known.size} ${what} in ${store}`);
  return { store, known };
}

async function main(): Promise<void> {
  mkdirSync(out, { recursive: true });
  await initTf({ log });
  const data = await loadEcgData();
  log(`data: train ${data.train.beats.size} beats (${data.trainRecords.join(' ')}), hold-out ${data.holdout.beats.size} (${data.holdoutRecords.join(' ')}), DS2 ${data.test.beats.size}`);
  const { store, known } = openCandidateStore('trained candidates');
  const onTrained = (c: StoredCandidate) => {
    appendDurableSync(store, JSON.stringify(c) + '\n');
    log(`trained ${c.arch}: hold-out F1 ${(100 * c.holdout.macroF1).toFixed(2)}${c.test ? `, DS2 F1 ${(100 * c.test.macroF1).toFixed(2)}` : ''}, ${c.parameters} params, ${c.epochs} epochs, ${c.seconds.toFixed(0)} s`);
  };
  const summary: Record<string, unknown> = { seed, queries, train: DEFAULT_TRAIN, dcl: ECG_DCL, holdoutRecords: data.holdoutRecords };

  if (parts.includes('baseline')) {
    for (const s of baselineSeeds) {
      const ev = new EcgEvaluator(data, { train: { ...DEFAULT_TRAIN, seed: s }, known, onTrained });
      const b = ev.baseline();
      writeFileSync(join(out, `baseline-seed${s}.json`), JSON.stringify({ part: 'baseline', trainSeed: s, ...b }, null, 1));
      log(`baseline seed ${s}: ${row(b.test!)}`);
    }
  }
  // the embedded mode's predictors (as `enas search --strategy dcl-enas`): fitted once, refreshed with new labels
  const predictors = inProcessPredictors(ecgSpace, { log });
  for (const name of parts.filter((p) => SEARCHES.includes(p))) {
    const started = performance.now();
    const evaluator = new EcgEvaluator(data, { known, onTrained, testPolicy: 'improving' });
    const ctx = { space: ecgSpace, rng: Rng.seeded(seed), seed, budget: queries, predictors };
    const strategy: Strategy<EcgArch> = name === 'dcl-enas' ? dclEnas(ctx, ECG_DCL) : createStrategy(name, ctx);
    const outcome = await searchWithEvaluator({ evaluator, dataset: 'mitdb', strategy, queries, onQuery: (_r, p) => log(`${name} query ${p.query}/${queries}: best hold-out ${p.bestValAcc.toFixed(2)}`) });
    const best = known.get(knownKey(evaluator.protocol, outcome.best.key))!;
    const result = {
      part: name,
      seed,
      queries,
      best,
      trajectory: outcome.trajectory,
      trainSecondsSum: outcome.simulatedGpuSeconds,
      wallSeconds: (performance.now() - started) / 1000,
      history: outcome.history.map((h) => ({ arch: h.arch, valAcc: h.valAcc, testAcc: h.testAcc, trainSeconds: h.trainSeconds })),
    };
    writeFileSync(join(out, `${name}-seed${seed}.json`), JSON.stringify(result, null, 1));
    log(`${name}: selected ${best.arch}: ${row(best.test!)}`);
  }
  if (parts.includes('retrain')) {
    for (const name of SEARCHES) {
      const file = join(out, `${name}-seed${seed}.json`);
      if (!existsSync(file)) continue;
      const arch = ecgSpace.parse((JSON.parse(readFileSync(file, 'utf8')) as { best: StoredCandidate }).best.arch);
      const runs = baselineSeeds.map((s) => {
        const ev = new EcgEvaluator(data, { train: { ...DEFAULT_TRAIN, seed: s }, known, onTrained });
        ev.query(arch, 'mitdb');
        return { trainSeed: s, ...known.get(knownKey(ev.protocol, ecgSpace.key(arch)))! };
      });
      writeFileSync(join(out, `${name}-seed${seed}-retrain.json`), JSON.stringify(runs, null, 1));
      log(`${name} selected cell over weight seeds ${baselineSeeds.join(',')}: DS2 macro-F1 ${runs.map((r) => pct(r.test!.macroF1)).join(' / ')}`);
    }
  }
  writeFileSync(join(out, `summary-seed${seed}.json`), JSON.stringify(summary, null, 1));
  if (parts.includes('report')) process.stdout.write(report());
}

interface Row {
  readonly label: string;
  readonly c: StoredCandidate;
}

/** Markdown tables: DS2 figures per network and weight seed, and their means. */
function report(): string {
  const rows: Row[] = [];
  for (const s of baselineSeeds) {
    const f = join(out, `baseline-seed${s}.json`);
    if (existsSync(f)) rows.push({ label: `baseline (Acharya 2017), weight seed ${s}`, c: JSON.parse(readFileSync(f, 'utf8')) as StoredCandidate });
  }
  for (const name of SEARCHES) {
    const f = join(out, `${name}-seed${seed}-retrain.json`);
    const single = join(out, `${name}-seed${seed}.json`);
    if (existsSync(f)) for (const r of JSON.parse(readFileSync(f, 'utf8')) as (StoredCandidate & { trainSeed: number })[]) rows.push({ label: `${name} selected, weight seed ${r.trainSeed}`, c: r });
    else if (existsSync(single)) rows.push({ label: `${name} selected, weight seed 0`, c: (JSON.parse(readFileSync(single, 'utf8')) as { best: StoredCandidate }).best });
  }
  const head = ['network', 'hold-out F1 (NSVF)', 'DS2 acc', 'DS2 macro-F1', ...AAMI_CLASSES.flatMap((c) => [`${c} Se`, `${c} +P`]), 'params', 'train s'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const { label, c } of rows) {
    const t = c.test!;
    lines.push(`| ${label} | ${pct(c.holdout.macroF1)} | ${pct(t.accuracy)} | ${pct(t.macroF1)} | ${t.perClass.flatMap((k) => [pct(k.sensitivity), pct(k.ppv)]).join(' | ')} | ${c.parameters} | ${c.trainSeconds.toFixed(0)} |`);
  }
  const groups = new Map<string, number[]>();
  for (const { label, c } of rows) {
    const g = label.replace(/, weight seed \d+$/, '');
    groups.set(g, [...(groups.get(g) ?? []), c.test!.macroF1]);
  }
  lines.push('', '| network | weight seeds | DS2 macro-F1 mean ± std |', '|---|---|---|');
  for (const [g, v] of groups) {
    const m = v.reduce((a, b) => a + b, 0) / v.length;
    const sd = Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, v.length - 1));
    lines.push(`| ${g} | ${v.length} | ${pct(m)} ± ${pct(sd)} |`);
  }
  return lines.join('\n') + '\n';
}

const pct = (x: number | null) => (x === null ? 'n/a' : (100 * x).toFixed(1));
function row(m: ClassificationMetrics): string {
  const per = AAMI_CLASSES.map((c, k) => `${c} Se ${pct(m.perClass[k].sensitivity)} +P ${pct(m.perClass[k].ppv)}`).join(', ');
  return `acc ${pct(m.accuracy)}, macro-F1 ${pct(m.macroF1)} (${per})`;
}

// ---------------------------------------------------------------------------------------------
// Cross-validation protocol (`--folds K`, docs/results/ecg.md, run of 2026-11-28): every network
// (baseline and every searched cell) is trained on K folds inside DS1. Fold k holds out the DS1
// records of hold-out seed k and uses weight seed k. The search signal is the hold-out macro-F1
// averaged over the K folds; the reported DS2 figure is the mean over the same K fold models.
// The folds of one network train in parallel in `--workers` worker threads (tfjs-wasm runs one
// thread per process).
//
//   nice -n 10 npm run -s tool -- tools/ecg-bench.ts --folds 4 --queries 15 --seed 0 --out /tmp/ecg-cv \
//     [--balance auto|equal|sqrt] [--epochs 8] [--patience 2] [--workers 2] [--check-cells 2]
//     [--parts balance-check,baseline,dcl-enas,random,final,transfer,report] [--final-epochs 30] [--final-patience 5]
//
// `balance-check` decides the class balancing on DS1 alone before anything is scored on DS2: the
// baseline and the first `--check-cells` cells of random search (the first cells of both
// searches) are trained on every fold under 'equal' and under 'sqrt' quotas, without DS2; with
// `--balance auto` the scheme with the higher mean hold-out macro-F1 is the protocol of the run.

const cvParts = (args.get('parts') ?? 'balance-check,baseline,dcl-enas,random,report').split(',');
/** `--records` and `--holdout-count`: a quick smoke run on a few records; default all 44 and 4. */
const cvData = {
  ...(args.has('records') ? { records: args.get('records')!.split(',').map(Number) } : {}),
  holdout: { count: Number(args.get('holdout-count') ?? 4) },
};

interface CvSetup {
  readonly folds: number;
  readonly epochs: number;
  readonly patience: number;
  readonly beatsPerClass: number;
}

function cvSetup(): CvSetup {
  return {
    folds: Number(args.get('folds') ?? 4),
    epochs: Number(args.get('epochs') ?? 8),
    patience: Number(args.get('patience') ?? 2),
    beatsPerClass: Number(args.get('beats-per-class') ?? DEFAULT_TRAIN.beatsPerClass),
  };
}

/** Fold k: weight seed k (foldTrainConfigs, as `enas search --ecg '{"folds":K,...}'`); `balance` is kept even when 'equal', as in the stored runs' fingerprints. */
function cvTrain(setup: CvSetup, balance: EpochBalance): TrainConfig[] {
  return foldTrainConfigs({ ...DEFAULT_TRAIN, epochs: setup.epochs, patience: setup.patience, beatsPerClass: setup.beatsPerClass, balance }, setup.folds);
}

type ToWorker = { type: 'train'; id: number; job: FoldJob; train: TrainConfig } | { type: 'test'; id: number } | { type: 'drop'; id: number };
type FromWorker = { id: number; trained?: FoldTrained; test?: ClassificationMetrics; error?: string } | { ready: true; id: -1 };

/** Worker threads that hold every fold's data and train one fold job at a time; the main thread waits for them synchronously (Evaluator.query is synchronous). */
class FoldPool {
  private readonly counter = new Int32Array(new SharedArrayBuffer(4));
  private readonly workers: { worker: Worker; port: MessagePort }[] = [];
  private nextId = 0;

  constructor(size: number, holdoutSeeds: readonly number[]) {
    for (let w = 0; w < size; w++) {
      const { port1, port2 } = new MessageChannel();
      const worker = new Worker(`require(${JSON.stringify(__filename)})`, {
        eval: true,
        workerData: { holdoutSeeds, data: cvData, port: port2, counter: this.counter },
        transferList: [port2],
      });
      worker.unref();
      this.workers.push({ worker, port: port1 });
    }
    const ready = this.collect(size);
    if (ready.some((m) => 'error' in m && m.error)) throw new Error(`fold worker failed to start: ${ready.map((m) => ('error' in m ? m.error : '')).join(' ')}`);
  }

  /** Waits for `n` replies from any workers. */
  private collect(n: number): (FromWorker & { worker: number })[] {
    const got: (FromWorker & { worker: number })[] = [];
    while (got.length < n) {
      const seen = Atomics.load(this.counter, 0);
      let any = false;
      this.workers.forEach((w, i) => {
        for (let m = receiveMessageOnPort(w.port); m; m = receiveMessageOnPort(w.port)) {
          got.push({ ...(m.message as FromWorker), worker: i });
          any = true;
        }
      });
      if (!any && got.length < n) Atomics.wait(this.counter, 0, seen, 10_000);
    }
    return got;
  }

  backend(train: readonly TrainConfig[]): FoldBackend {
    return {
      folds: train.length,
      run: (jobs, wantsTest) => {
        const owner = new Map<number, { worker: number; index: number }>();
        const trained: FoldTrained[] = new Array(jobs.length);
        const idle = this.workers.map((_, i) => i);
        let next = 0;
        let done = 0;
        const failures: string[] = [];
        while (done < jobs.length) {
          while (idle.length > 0 && next < jobs.length) {
            const w = idle.shift()!;
            const id = this.nextId++;
            owner.set(id, { worker: w, index: next });
            this.workers[w].worker.postMessage({ type: 'train', id, job: jobs[next], train: train[jobs[next].fold] } satisfies ToWorker);
            next++;
          }
          for (const m of this.collect(1)) {
            const o = owner.get(m.id)!;
            if ('error' in m && m.error) failures.push(m.error);
            else trained[o.index] = (m as { trained: FoldTrained }).trained;
            idle.push(m.worker);
            done++;
          }
        }
        const ids = [...owner.keys()];
        if (failures.length > 0) {
          for (const id of ids) this.workers[owner.get(id)!.worker].worker.postMessage({ type: 'drop', id } satisfies ToWorker);
          throw new Error(`fold training failed: ${failures[0]}`);
        }
        if (!wantsTest(trained)) {
          for (const id of ids) this.workers[owner.get(id)!.worker].worker.postMessage({ type: 'drop', id } satisfies ToWorker);
          return { trained, test: null };
        }
        for (const id of ids) this.workers[owner.get(id)!.worker].worker.postMessage({ type: 'test', id } satisfies ToWorker);
        const test: ClassificationMetrics[] = new Array(jobs.length);
        for (const m of this.collect(ids.length)) {
          if ('error' in m && m.error) throw new Error(`DS2 scoring failed: ${m.error}`);
          test[owner.get(m.id)!.index] = (m as { test: ClassificationMetrics }).test;
        }
        return { trained, test };
      },
    };
  }

  close(): Promise<number[]> {
    return Promise.all(this.workers.map((w) => w.worker.terminate()));
  }
}

async function foldWorker(): Promise<void> {
  const { holdoutSeeds, data, port, counter } = workerData as { holdoutSeeds: number[]; data: typeof cvData; port: MessagePort; counter: Int32Array };
  const reply = (m: FromWorker) => {
    port.postMessage(m);
    Atomics.add(counter, 0, 1);
    Atomics.notify(counter, 0);
  };
  try {
    await initTf({ log: () => undefined });
    const folds = await loadEcgFolds(holdoutSeeds, data);
    const nets = new Map<number, { net: EcgNet; fold: number }>();
    parentPort!.on('message', (m: ToWorker) => {
      try {
        if (m.type === 'train') {
          const r = trainFold(m.job.net, folds[m.job.fold], m.train);
          nets.set(m.id, { net: r.net, fold: m.job.fold });
          reply({ id: m.id, trained: r.trained });
        } else {
          const kept = nets.get(m.id);
          nets.delete(m.id);
          if (!kept) {
            if (m.type === 'test') reply({ id: m.id, error: `no network ${m.id}` });
            return;
          }
          try {
            if (m.type === 'test') reply({ id: m.id, test: evaluatePart(kept.net, folds[kept.fold].test, folds[kept.fold].classes) });
          } finally {
            kept.net.weights.dispose();
          }
        }
      } catch (e) {
        if (m.type !== 'drop') reply({ id: m.id, error: (e as Error).stack ?? String(e) });
      }
    });
    reply({ ready: true, id: -1 });
  } catch (e) {
    reply({ id: -1, error: (e as Error).stack ?? String(e) });
  }
}

const mean = (v: readonly number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const sd = (v: readonly number[]) => {
  const m = mean(v);
  return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, v.length - 1));
};
const loadNow = () => os.loadavg().map((x) => x.toFixed(1)).join(' ');

async function cvMain(): Promise<void> {
  const setup = cvSetup();
  mkdirSync(out, { recursive: true });
  await initTf({ log });
  const holdoutSeeds = foldHoldoutSeeds(cvData.holdout, setup.folds);
  const folds = await loadEcgFolds(holdoutSeeds, cvData);
  folds.forEach((d, k) => log(`fold ${k}: hold-out ${d.holdoutRecords.join(' ')} (${d.holdout.beats.size} beats), train ${d.trainRecords.length} records (${d.train.beats.size} beats), weight seed ${k}`));
  const { store, known } = openCandidateStore('trained fold results');
  const onTrained = (c: StoredCandidate) => {
    appendDurableSync(store, JSON.stringify(c) + '\n');
    log(`trained ${c.arch} fold ${c.fold}: hold-out F1 ${pct(c.holdout.macroF1)}${c.test ? ', DS2 scored' : ''}, ${c.parameters} params, ${c.epochs} epochs, ${c.seconds.toFixed(0)} s (load ${loadNow()})`);
  };
  const pool = new FoldPool(Number(args.get('workers') ?? 2), holdoutSeeds);
  const summaryFile = join(out, `cv-summary-seed${seed}.json`);
  const summary = (existsSync(summaryFile) ? JSON.parse(readFileSync(summaryFile, 'utf8')) : {}) as Record<string, unknown>;
  const saveSummary = () => writeFileSync(summaryFile, JSON.stringify(summary, null, 1));
  Object.assign(summary, { seed, queries, setup, dcl: ECG_DCL, holdoutRecords: folds.map((d) => d.holdoutRecords) });
  const evaluatorFor: EvaluatorFor = (balance, testPolicy, trainSetup = setup) => {
    const train = cvTrain(trainSetup, balance);
    return new EcgCvEvaluator(pool.backend(train), foldProtocols(folds, train), { known, onTrained, testPolicy });
  };

  try {
    let balance = (args.get('balance') ?? 'auto') as EpochBalance | 'auto';
    if (cvParts.includes('balance-check') || balance === 'auto') {
      // DS1 only: no DS2 figure is computed here.
      const checkCells = Number(args.get('check-cells') ?? 2);
      const scores: Record<string, number[]> = {};
      for (const scheme of ['equal', 'sqrt'] as const) {
        const base = evaluatorFor(scheme, 'none').baseline();
        const evaluator = evaluatorFor(scheme, 'none');
        const strategy = createStrategy('random', { space: ecgSpace, rng: Rng.seeded(seed), seed, budget: checkCells });
        const outcome = await searchWithEvaluator({ evaluator, dataset: 'mitdb', strategy, queries: checkCells });
        scores[scheme] = [mean(base.map((c) => c.holdout.macroF1)), ...outcome.history.map((h) => h.valAcc / 100)];
        log(`balance check ${scheme}: mean hold-out macro-F1 (NSVF) over ${setup.folds} folds: baseline ${pct(scores[scheme][0])}, cells ${scores[scheme].slice(1).map(pct).join(' ')}`);
      }
      const choice = mean(scores.sqrt) > mean(scores.equal) ? 'sqrt' : 'equal';
      summary.balanceCheck = { scores, mean: { equal: mean(scores.equal), sqrt: mean(scores.sqrt) }, choice };
      saveSummary();
      log(`balance check: equal ${pct(mean(scores.equal))}, sqrt ${pct(mean(scores.sqrt))} -> ${choice}`);
      if (balance === 'auto') balance = choice;
    }
    summary.balance = balance;
    saveSummary();
    const train = cvTrain(setup, balance);
    summary.train = train;

    if (cvParts.includes('baseline')) {
      const runs = evaluatorFor(balance, 'improving').baseline();
      writeFileSync(join(out, `cv-baseline-${balance}.json`), JSON.stringify(runs, null, 1));
      log(`baseline: DS2 macro-F1 ${runs.map((r) => pct(r.test!.macroF1)).join(' / ')}, mean ${pct(mean(runs.map((r) => r.test!.macroF1)))}`);
    }
    const predictors = inProcessPredictors(ecgSpace, { log });
    for (const name of cvParts.filter((p) => SEARCHES.includes(p))) {
      const started = new Date();
      const loads: string[] = [loadNow()];
      const evaluator = evaluatorFor(balance, 'improving');
      const ctx = { space: ecgSpace, rng: Rng.seeded(seed), seed, budget: queries, predictors };
      const strategy: Strategy<EcgArch> = name === 'dcl-enas' ? dclEnas(ctx, ECG_DCL) : createStrategy(name, ctx);
      const outcome = await searchWithEvaluator({
        evaluator,
        dataset: 'mitdb',
        strategy,
        queries,
        onQuery: (_r, p) => {
          loads.push(loadNow());
          log(`${name} query ${p.query}/${queries}: best mean hold-out ${p.bestValAcc.toFixed(2)}`);
        },
      });
      const best = evaluator.results(outcome.best.key) as StoredCandidate[];
      writeFileSync(
        join(out, `cv-${name}-${balance}-seed${seed}-q${queries}.json`),
        JSON.stringify(
          {
            part: name,
            seed,
            queries,
            balance,
            started: started.toISOString(),
            finished: new Date().toISOString(),
            loads,
            selected: outcome.best.arch,
            best,
            trajectory: outcome.trajectory,
            trainSecondsSum: outcome.simulatedGpuSeconds,
            history: outcome.history.map((h) => ({ arch: h.arch, valAcc: h.valAcc, testAcc: h.testAcc, trainSeconds: h.trainSeconds, wallSeconds: h.wallSeconds })),
          },
          null,
          1,
        ),
      );
      log(`${name}: selected ${outcome.best.arch}: mean hold-out ${outcome.best.valAcc.toFixed(2)}, DS2 macro-F1 ${best.map((r) => pct(r.test!.macroF1)).join(' / ')}`);
    }
    if (cvParts.includes('final')) finalTraining(setup, balance, evaluatorFor);
    if (cvParts.includes('transfer')) transferCheck(balance, evaluatorFor);
    if (cvParts.includes('report')) process.stdout.write(cvReport(folds.map((d) => d.holdoutRecords), balance));
  } finally {
    await pool.close();
  }
}

type EvaluatorFor = (balance: EpochBalance, testPolicy: EcgCvOptions['testPolicy'], trainSetup?: CvSetup) => EcgCvEvaluator;

/** The stored result of search `name` at this run's seed and budget (written by its part). */
function searchResult(name: string, balance: EpochBalance): { selected: string; history: { arch: string }[] } {
  const f = join(out, `cv-${name}-${balance}-seed${seed}-q${queries}.json`);
  if (!existsSync(f)) throw new Error(`${f} is missing: run the ${name} part with --queries ${queries} --seed ${seed} first`);
  return JSON.parse(readFileSync(f, 'utf8')) as { selected: string; history: { arch: string }[] };
}

/** Each AAMI class's DS2 F1, averaged over fold models (0 where undefined), as "N / S / V / F / Q". */
const perClassF1Means = (runs: readonly StoredCandidate[]) => AAMI_CLASSES.map((_, k) => pct(mean(runs.map((c) => c.test!.perClass[k].f1 ?? 0)))).join(' / ');

/**
 * `final`: the search used a short proxy budget per candidate; as usual in NAS, the selected
 * networks are then trained with a longer one before they are reported. The baseline and the cell
 * each search selected at `--queries` are trained again on the same folds with `--final-epochs`
 * (30) and `--final-patience` (5), everything else unchanged, and all are scored on DS2.
 */
function finalTraining(setup: CvSetup, balance: EpochBalance, evaluatorFor: EvaluatorFor): void {
  const finalSetup = { ...setup, epochs: Number(args.get('final-epochs') ?? 30), patience: Number(args.get('final-patience') ?? 5) };
  const evaluator = evaluatorFor(balance, 'all', finalSetup);
  const networks: { network: string; selected: string | null; runs: StoredCandidate[] }[] = [{ network: 'baseline', selected: null, runs: evaluator.baseline() }];
  for (const name of SEARCHES) {
    const { selected } = searchResult(name, balance);
    const arch = ecgSpace.parse(selected);
    evaluator.query(arch, 'mitdb');
    networks.push({ network: name, selected, runs: evaluator.results(ecgSpace.key(arch)) as StoredCandidate[] });
  }
  const file = join(out, `cv-final-${balance}-seed${seed}-q${queries}-e${finalSetup.epochs}.json`);
  writeFileSync(file, JSON.stringify({ part: 'final', seed, queries, balance, setup: finalSetup, networks }, null, 1));
  const lines = [
    `Final training (${finalSetup.epochs} epochs, patience ${finalSetup.patience}), search seed ${seed}, budget ${queries}: means ± std over the ${setup.folds} fold models`,
    '',
    '| network | mean hold-out F1 (NSVF) | DS2 macro-F1 (5 classes) | DS2 macro-F1 (NSVF) | DS2 F1 per class N / S / V / F / Q (means) | epochs (best) per fold |',
    '|---|---|---|---|---|---|',
  ];
  for (const n of networks) {
    const all = n.runs.map((c) => c.test!.macroF1);
    const nsvf = n.runs.map(nsvfF1);
    const label = n.selected ? `${n.network} \`${n.selected}\`` : n.network;
    lines.push(`| ${label} | ${pct(mean(n.runs.map((c) => c.holdout.macroF1)))} | ${pct(mean(all))} ± ${pct(sd(all))} | ${pct(mean(nsvf))} ± ${pct(sd(nsvf))} | ${perClassF1Means(n.runs)} | ${n.runs.map((c) => `${c.epochs} (${c.bestEpoch})`).join(', ')} |`);
  }
  process.stdout.write(lines.join('\n') + '\n');
}

const nsvfF1 = (c: StoredCandidate) => metricsFromConfusion(c.test!.confusion, DEFAULT_TRAIN.selectionClasses).macroF1;

/**
 * `transfer`: how well the search signal ranks cells for DS2. Every cell random search proposed
 * (seed `--seed`, budget `--queries`: an unbiased sample of the space) is scored on DS2 with the
 * search's own fold models (retrained deterministically where DS2 was skipped), and the mean
 * hold-out score is compared with the DS2 means by Kendall's tau. Nothing here selects anything.
 */
function transferCheck(balance: EpochBalance, evaluatorFor: EvaluatorFor): void {
  const { history } = searchResult('random', balance);
  const evaluator = evaluatorFor(balance, 'all');
  const cells = history.map((h, i) => {
    const arch = ecgSpace.parse(h.arch);
    evaluator.query(arch, 'mitdb');
    const runs = evaluator.results(ecgSpace.key(arch)) as StoredCandidate[];
    log(`transfer ${i + 1}/${history.length} ${h.arch}`);
    return { arch: h.arch, holdout: mean(runs.map((c) => c.holdout.macroF1)), ds2: mean(runs.map((c) => c.test!.macroF1)), ds2Nsvf: mean(runs.map(nsvfF1)) };
  });
  const holdout = cells.map((c) => c.holdout);
  const tau = { ds2: kendallTau(holdout, cells.map((c) => c.ds2)), ds2Nsvf: kendallTau(holdout, cells.map((c) => c.ds2Nsvf)) };
  writeFileSync(join(out, `cv-transfer-${balance}-seed${seed}-q${queries}.json`), JSON.stringify({ part: 'transfer', seed, queries, balance, tau, cells }, null, 1));
  const lines = [
    `Search signal vs DS2 over the ${cells.length} cells of random search (seed ${seed}): Kendall tau ${tau.ds2.toFixed(3)} (DS2 macro-F1, 5 classes), ${tau.ds2Nsvf.toFixed(3)} (NSVF)`,
    '',
    '| query | cell | mean hold-out F1 (NSVF) | DS2 macro-F1 (5 classes) | DS2 macro-F1 (NSVF) |',
    '|---|---|---|---|---|',
    ...cells.map((c, i) => `| ${i + 1} | \`${c.arch}\` | ${pct(c.holdout)} | ${pct(c.ds2)} | ${pct(c.ds2Nsvf)} |`),
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

/** Markdown tables of the CV run: per network and fold, and the means over folds. */
function cvReport(holdouts: readonly (readonly number[])[], balance: string): string {
  const rows: { label: string; runs: StoredCandidate[] }[] = [];
  const b = join(out, `cv-baseline-${balance}.json`);
  if (existsSync(b)) rows.push({ label: 'baseline (Acharya 2017)', runs: JSON.parse(readFileSync(b, 'utf8')) as StoredCandidate[] });
  for (const name of SEARCHES) {
    const f = join(out, `cv-${name}-${balance}-seed${seed}-q${queries}.json`);
    if (!existsSync(f)) continue;
    const r = JSON.parse(readFileSync(f, 'utf8')) as { selected: string; best: StoredCandidate[] };
    rows.push({ label: `${name} selected \`${r.selected}\``, runs: r.best });
  }
  const head = ['network', 'fold (hold-out records, weight seed)', 'hold-out F1 (NSVF)', 'DS2 acc', 'DS2 macro-F1', ...AAMI_CLASSES.flatMap((c) => [`${c} Se`, `${c} +P`]), 'params', 'epochs', 'train s'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const { label, runs } of rows) {
    for (const c of runs) {
      const t = c.test!;
      lines.push(`| ${label} | ${c.fold} (${holdouts[c.fold!].join(' ')}; ${c.fold}) | ${pct(c.holdout.macroF1)} | ${pct(t.accuracy)} | ${pct(t.macroF1)} | ${t.perClass.flatMap((k) => [pct(k.sensitivity), pct(k.ppv)]).join(' | ')} | ${c.parameters} | ${c.epochs} | ${c.trainSeconds.toFixed(0)} |`);
    }
  }
  lines.push('', '| network | folds | mean hold-out F1 (NSVF) | DS2 macro-F1 mean ± std | DS2 acc mean | DS2 F1 per class (N S V F Q), means |', '|---|---|---|---|---|---|');
  for (const { label, runs } of rows) {
    const f1 = runs.map((c) => c.test!.macroF1);
    lines.push(`| ${label} | ${runs.length} | ${pct(mean(runs.map((c) => c.holdout.macroF1)))} | ${pct(mean(f1))} ± ${pct(sd(f1))} | ${pct(mean(runs.map((c) => c.test!.accuracy)))} | ${perClassF1Means(runs)} |`);
  }
  return lines.join('\n') + '\n';
}

if (!isMainThread) void foldWorker();
else
  (args.has('folds') ? cvMain() : main()).catch((e: unknown) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  });
