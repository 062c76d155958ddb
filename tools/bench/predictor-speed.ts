/*
 * Predictor speed benchmark (issue 3): stage 1 on all NB201 cells and stage 2 at 156 labels
 * with the default dcl configuration, timed through the library; then the same model on the
 * same batches (one stage-1 epoch, the stage-2 epochs actually run) in tfjs and in PyTorch
 * on this CPU, in the same run. Prints both and the ratio.
 *
 *   node -r ./tools/register.cjs tools/bench/predictor-speed.ts [--skip-full] [--json]
 *
 * PyTorch comes from Debian's python3-torch, installed with apt-get when missing (needs root).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveDataDir, Rng } from '@dcl-enas/common';
import { nb201Space } from '@dcl-enas/spaces';
import { initTf, tf } from '@dcl-enas/tf-backend';
import { ArchPredictor, augment, codecFor, nb201Labelled, trainEncoder, variantConfig, type WorkGraph } from '@dcl-enas/predictor';
import { embeddingSize, ENCODER_PREFIX, initEncoder, initHead } from '../../libs/predictor/src/encoder';
import { disposeBatch, packGraphs, type GraphBatch } from '../../libs/predictor/src/graph-batch';
import { Params } from '../../libs/predictor/src/params';
import { disposeStage1Batch, PATH_PREFIX, PROJECTION_PREFIX, stage1Step, unlabelledGraphs } from '../../libs/predictor/src/pretrain';
import { pathFeatures, pathVocab } from '../../libs/predictor/src/path-encoding';
import { SCORE_PREFIX, scoreBatch, stage2Optimizers, stage2Step } from '../../libs/predictor/src/finetune';

const args = process.argv.slice(2);
const log = (line: string) => process.stderr.write(line + '\n');

interface DumpedBatch {
  readonly size: number;
  /** Stage 1 only: [size / 2, vocab] path encodings of the graphs behind the two views. */
  readonly paths?: Float32Array;
  readonly features: Float32Array;
  readonly forward: Float32Array;
  readonly reverse: Float32Array;
  readonly mask: Float32Array;
}

async function main(): Promise<void> {
  const backend = await initTf({ log });
  const cfg = variantConfig('dcl');
  const codec = codecFor(nb201Space);
  const result: Record<string, number | string> = { backend: backend.name, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? '?' };

  // 1. the library path, as a user runs it
  if (!args.includes('--skip-full')) {
    const enc = trainEncoder(nb201Space, cfg, 0, (r) => log(`stage 1 epoch ${r.epoch + 1}/${cfg.pretrain.epochs}: ${r.seconds.toFixed(1)} s`));
    result['stage1TotalSeconds'] = enc.seconds;
    result['stage1Epochs'] = cfg.pretrain.epochs;
    const data = nb201Labelled(resolveDataDir(), 'cifar10', 'test');
    const idx = Rng.seeded(0).sample(data.archs.map((_, i) => i), 156);
    // Stage 2 costs the same whichever encoders the members start from; one stage-1 run is timed above.
    const p = await ArchPredictor.create(nb201Space, { seed: 0, config: { pretrain: { encoders: 1 } }, encoders: [enc] });
    const t0 = performance.now();
    const reports = await p.fit(idx.map((i) => data.archs[i]), idx.map((i) => data.targets[i]));
    result['stage2FitSeconds156'] = (performance.now() - t0) / 1000;
    result['stage2Members'] = reports.length;
    result['stage2EpochsRun'] = reports.map((r) => r.epochs).join('/');
    p.dispose();
  }

  // 2. same model, same batches: tfjs replay, then PyTorch
  const rng = Rng.seeded(1);
  const graphs = unlabelledGraphs(nb201Space, codec, cfg, rng.fork());
  result['stage1Graphs'] = graphs.length;
  const order = rng.shuffle(graphs.map((_, i) => i));
  const vocab = pathVocab(codec);
  const stage1: DumpedBatch[] = [];
  for (let at = 0; at + 2 <= order.length; at += cfg.pretrain.batchSize) {
    const ids = order.slice(at, at + cfg.pretrain.batchSize);
    const views = [...ids.map((i) => augment(graphs[i], codec, rng, cfg.pretrain.augment)), ...ids.map((i) => augment(graphs[i], codec, rng, cfg.pretrain.augment))];
    const paths = cfg.pretrain.objective === 'augment' ? undefined : pathFeatures(ids.map((i) => graphs[i]), codec, vocab);
    stage1.push({ ...dump(views, codec), paths });
  }
  const labelled = rng.sample(graphs, 156);
  const holdout = Math.round(156 * cfg.finetune.holdout);
  const stage2Train = dump(labelled.slice(holdout), codec);
  const stage2Held = dump(labelled.slice(0, holdout), codec);
  const targets = Float32Array.from({ length: stage2Train.size }, () => rng.normal());
  const stage2Epochs = 100;

  const params = new Params();
  const init = Rng.seeded(2);
  initEncoder(params, cfg.encoder, codec.opCount, init);
  initHead(params, PROJECTION_PREFIX, embeddingSize(cfg.encoder), cfg.encoder.hidden, cfg.pretrain.projection, init);
  if (cfg.pretrain.objective !== 'augment') initHead(params, PATH_PREFIX, vocab.size, cfg.encoder.hidden, cfg.pretrain.projection, init);
  initHead(params, SCORE_PREFIX, embeddingSize(cfg.encoder), cfg.finetune.headHidden, 1, init);
  const opt1 = tf.train.adam(cfg.pretrain.learningRate);
  const vars1 = params.select(ENCODER_PREFIX, PROJECTION_PREFIX, PATH_PREFIX);
  const stage1Of = (b: DumpedBatch) => ({ views: toBatch(b), paths: b.paths ? tf.tensor2d(b.paths, [b.size / 2, vocab.size]) : null });
  const warm = stage1Of(stage1[0]);
  stage1Step(params, cfg, warm, opt1, vars1); // warm-up
  disposeStage1Batch(warm);
  let t = performance.now();
  for (const b of stage1) {
    const batch = stage1Of(b);
    stage1Step(params, cfg, batch, opt1, vars1);
    disposeStage1Batch(batch);
  }
  result['tfjsStage1EpochSeconds'] = (performance.now() - t) / 1000;
  result['stage1Steps'] = stage1.length;

  const opt2 = stage2Optimizers(params, cfg.finetune);
  const train = toBatch(stage2Train);
  // the held-out slice exists only when the preset early-stops (finetune.holdout > 0)
  const held = stage2Held.size > 0 ? toBatch(stage2Held) : null;
  stage2Step(params, cfg, train, targets, opt2);
  t = performance.now();
  for (let e = 0; e < stage2Epochs; e++) {
    stage2Step(params, cfg, train, targets, opt2);
    if (!held) continue;
    const s = tf.tidy(() => scoreBatch(params, cfg, held));
    s.dataSync();
    s.dispose();
  }
  result['tfjsStage2Seconds100Epochs'] = (performance.now() - t) / 1000;

  const dir = mkdtempSync(join(tmpdir(), 'predictor-speed-'));
  try {
    writeWorkload(dir, { stage1, stage2Train, stage2Held, targets, stage2Epochs, cfg, codec: { maxNodes: codec.maxNodes, opCount: codec.opCount }, pathVocab: vocab.size });
    const torch = runTorch(dir);
    Object.assign(result, torch);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const ratio = (a: string, b: string) => (typeof result[a] === 'number' && typeof result[b] === 'number' ? (result[a] as number) / (result[b] as number) : Number.NaN);
  result['ratioStage1'] = ratio('tfjsStage1EpochSeconds', 'torchStage1EpochSeconds');
  result['ratioStage2'] = ratio('tfjsStage2Seconds100Epochs', 'torchStage2Seconds100Epochs');

  if (args.includes('--json')) {
    process.stdout.write(JSON.stringify(result) + '\n');
    return;
  }
  const s = (k: string) => {
    const v = result[k];
    if (typeof v !== 'number') return String(v ?? '-');
    return Number.isInteger(v) ? String(v) : v.toFixed(2);
  };
  process.stdout.write(
    [
      `machine: ${result['cpus']} x ${result['cpuModel']}; tfjs backend ${result['backend']}; torch ${result['torchVersion'] ?? '-'} (${result['torchThreads'] ?? '?'} threads)`,
      `library path (dcl defaults): stage 1, ${s('stage1Epochs')} epochs over ${s('stage1Graphs')} distinct NB201 cell graphs: ${s('stage1TotalSeconds')} s; stage 2 fit at 156 labels: ${s('stage2FitSeconds156')} s (${s('stage2Members')} member(s), epochs ${s('stage2EpochsRun')})`,
      `same model, same batches:      tfjs      torch     tfjs/torch`,
      `stage-1 epoch (${s('stage1Steps')} steps)    ${s('tfjsStage1EpochSeconds')} s    ${s('torchStage1EpochSeconds')} s    ${result['ratioStage1'] === undefined ? '-' : (result['ratioStage1'] as number).toFixed(2)}`,
      `stage-2, 100 epochs at 156    ${s('tfjsStage2Seconds100Epochs')} s    ${s('torchStage2Seconds100Epochs')} s    ${(result['ratioStage2'] as number).toFixed(2)}`,
    ].join('\n') + '\n',
  );
}

function dump(views: readonly WorkGraph[], codec: ReturnType<typeof codecFor>): DumpedBatch {
  const b = packGraphs(views, codec);
  const out = { size: b.size, features: b.features.dataSync() as Float32Array, forward: b.forward.dataSync() as Float32Array, reverse: b.reverse.dataSync() as Float32Array, mask: b.mask.dataSync() as Float32Array };
  disposeBatch(b);
  return out;
}

function toBatch(d: DumpedBatch): GraphBatch {
  const n = d.mask.length / d.size;
  return {
    size: d.size,
    maxNodes: n,
    features: tf.tensor2d(d.features, [d.size * n, d.features.length / (d.size * n)]),
    forward: tf.tensor3d(d.forward, [d.size, n, n]),
    reverse: tf.tensor3d(d.reverse, [d.size, n, n]),
    mask: tf.tensor2d(d.mask, [d.size * n, 1]),
  };
}

function writeWorkload(
  dir: string,
  w: { stage1: DumpedBatch[]; stage2Train: DumpedBatch; stage2Held: DumpedBatch; targets: Float32Array; stage2Epochs: number; cfg: ReturnType<typeof variantConfig>; codec: { maxNodes: number; opCount: number }; pathVocab: number },
): void {
  const files: string[] = [];
  const put = (name: string, d: DumpedBatch) => {
    for (const k of ['features', 'forward', 'reverse', 'mask'] as const) writeFileSync(join(dir, `${name}.${k}.f32`), Buffer.from(d[k].buffer, d[k].byteOffset, d[k].byteLength));
    if (d.paths) writeFileSync(join(dir, `${name}.paths.f32`), Buffer.from(d.paths.buffer, d.paths.byteOffset, d.paths.byteLength));
    files.push(name);
  };
  w.stage1.forEach((b, i) => put(`s1_${i}`, b));
  put('s2_train', w.stage2Train);
  put('s2_held', w.stage2Held);
  writeFileSync(join(dir, 's2_targets.f32'), Buffer.from(w.targets.buffer));
  writeFileSync(
    join(dir, 'meta.json'),
    JSON.stringify({
      maxNodes: w.codec.maxNodes,
      opCount: w.codec.opCount,
      pathVocab: w.pathVocab,
      stage1Batches: w.stage1.map((b, i) => ({ name: `s1_${i}`, size: b.size })),
      stage2: { train: { name: 's2_train', size: w.stage2Train.size }, held: { name: 's2_held', size: w.stage2Held.size }, epochs: w.stage2Epochs },
      config: w.cfg,
    }),
  );
}

function runTorch(dir: string): Record<string, number | string> {
  if (!torchPython()) {
    log('python3-torch is missing; installing it with apt-get');
    try {
      execFileSync('apt-get', ['install', '-y', '-qq', 'python3-torch'], { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    } catch {
      log('apt-get install python3-torch failed (run as root, after apt-get update); PyTorch figures skipped');
      return {};
    }
  }
  const python = torchPython();
  if (!python) {
    log('python3-torch installed but no python3 imports torch; PyTorch figures skipped');
    return {};
  }
  const r = spawnSync(python, [join(__dirname, 'predictor_speed.py'), dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) {
    log(`PyTorch run failed (exit ${r.status}); PyTorch figures skipped`);
    return {};
  }
  return JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}');
}

/** Debian's interpreter first: python3-torch installs there, and PATH may lead to another python. */
function torchPython(): string | null {
  for (const python of ['/usr/bin/python3', 'python3']) {
    if (spawnSync(python, ['-c', 'import torch, numpy'], { stdio: 'ignore' }).status === 0) return python;
  }
  return null;
}

main().catch((e) => {
  process.stderr.write(`predictor-speed: ${(e as Error).stack}\n`);
  process.exit(1);
});

