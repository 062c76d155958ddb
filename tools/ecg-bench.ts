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
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '@dcl-enas/common';
import { AAMI_CLASSES } from '@dcl-enas/ecg';
import { DEFAULT_TRAIN, EcgEvaluator, knownKey, loadEcgData, type ClassificationMetrics, type StoredCandidate } from '@dcl-enas/ecg-model';
import { inProcessPredictors } from '@dcl-enas/predictor';
import { createStrategy, DCL_ENAS_DEFAULTS, dclEnas, runSearch, type Strategy } from '@dcl-enas/search';
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

async function main(): Promise<void> {
  mkdirSync(out, { recursive: true });
  await initTf({ log });
  const data = await loadEcgData();
  log(`data: train ${data.train.beats.size} beats (${data.trainRecords.join(' ')}), hold-out ${data.holdout.beats.size} (${data.holdoutRecords.join(' ')}), DS2 ${data.test.beats.size}`);
  const store = join(out, 'candidates.jsonl');
  const known = new Map<string, StoredCandidate>();
  if (existsSync(store)) {
    for (const line of readFileSync(store, 'utf8').split('\n').filter(Boolean)) {
      const c = JSON.parse(line) as StoredCandidate;
      known.set(knownKey(c.protocol, c.key), c);
    }
    log(`resuming: ${known.size} trained candidates in ${store}`);
  }
  const onTrained = (c: StoredCandidate) => {
    appendFileSync(store, JSON.stringify(c) + '\n');
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
    const outcome = await runSearch({ evaluator, dataset: 'mitdb', strategy, queries, onQuery: (p) => log(`${name} query ${p.query}/${queries}: best hold-out ${p.bestValAcc.toFixed(2)}`) });
    const best = known.get(knownKey(evaluator.protocol, outcome.best.key))!;
    const result = {
      part: name,
      seed,
      queries,
      best,
      trajectory: outcome.trajectory,
      trainSecondsSum: outcome.simulatedGpuSeconds,
      wallSeconds: (performance.now() - started) / 1000,
      history: outcome.history.map((h) => ({ arch: ecgSpace.format(h.arch), valAcc: h.valAcc, testAcc: h.testAcc, trainSeconds: h.trainSeconds })),
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

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
