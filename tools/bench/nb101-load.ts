// Load-time benchmark for the NB101 release reader: writes a synthetic file shaped like
// nasbench_only108.tfrecord (423,624 hashes x 3 runs, ~392 bytes per record, like the real
// 499 MB file), then times the first load (decode + cache write) and a cached load.
// The values are random: this measures speed only. Usage:
//   node -r ./tools/register.cjs tools/bench/nb101-load.ts [hashes]
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { Rng } from '@dcl-enas/common';
import { nb101Space, pruneCell, type Nb101Arch } from '@dcl-enas/spaces';
import {
  cachePathFor,
  encodeNb101Record,
  loadNb101,
  NB101_DIR,
  readNb101Release,
  readTableCache,
  stampOf,
  writeTfRecordFile,
} from '@dcl-enas/benchmarks';

const hashes = Number(process.argv[2] ?? 423_624);
const cpuSeconds = (u: NodeJS.CpuUsage): number => (u.user + u.system) / 1e6;
const root = mkdtempSync(join(tmpdir(), 'nb101-bench-'));
try {
  const rng = Rng.seeded(0);
  const pool: Nb101Arch[] = Array.from({ length: 1000 }, () => pruneCell(nb101Space.sample(rng)) as Nb101Arch);
  // A checkpoint path brings records to the real file's average size.
  const checkpoint = 'model.ckpt-108';
  function* records(): Generator<Buffer> {
    for (let h = 0; h < hashes; h++) {
      const hash = createHash('md5').update(String(h)).digest('hex');
      const cell = pool[h % pool.length];
      for (let run = 0; run < 3; run++) {
        const evaluation = (epoch: number) => ({
          current_epoch: epoch,
          training_time: 10 * epoch + rng.float(),
          train_accuracy: rng.float(),
          validation_accuracy: rng.float(),
          test_accuracy: rng.float(),
          checkpoint_path: checkpoint,
        });
        yield encodeNb101Record(hash, 108, cell, {
          evaluation_data: [evaluation(0), evaluation(54), evaluation(108)],
          trainable_parameters: 1_000_000 + h,
          total_time: 2000 + rng.float(),
        });
      }
    }
  }
  const dataDir = join(root, 'data');
  mkdirSync(join(dataDir, NB101_DIR), { recursive: true });
  const file = join(dataDir, NB101_DIR, 'nasbench_only108.tfrecord');
  let t = performance.now();
  writeTfRecordFile(file, records());
  const writeSeconds = (performance.now() - t) / 1000;
  const bytes = statSync(file).size;

  const heapBefore = process.memoryUsage().rss;
  t = performance.now();
  const first = loadNb101(dataDir, { cacheDir: join(root, 'cache') });
  const firstSeconds = (performance.now() - t) / 1000;
  const rssAfterFirst = process.memoryUsage().rss;

  t = performance.now();
  let cpu = process.cpuUsage();
  const decodeOnly = readNb101Release(file);
  const decodeSeconds = (performance.now() - t) / 1000;
  const decodeCpuSeconds = cpuSeconds(process.cpuUsage(cpu));

  // A second process has no in-process memo: it reads the cache as below.
  const stamp = stampOf(file);
  t = performance.now();
  cpu = process.cpuUsage();
  const cached = readTableCache(cachePathFor(file, stamp, join(root, 'cache')), stamp);
  const cachedSeconds = (performance.now() - t) / 1000;
  const cachedCpuSeconds = cpuSeconds(process.cpuUsage(cpu));

  console.log(
    JSON.stringify(
      {
        hashes,
        records: hashes * 3,
        fileMB: +(bytes / 1e6).toFixed(1),
        bytesPerRecord: +(bytes / (hashes * 3)).toFixed(1),
        writeSeconds: +writeSeconds.toFixed(2),
        firstLoadSeconds: +firstSeconds.toFixed(2),
        firstLoadCache: first.cache,
        decodeOnlySeconds: +decodeSeconds.toFixed(2),
        decodeCpuSeconds: +decodeCpuSeconds.toFixed(2),
        decodeMBperSecond: +(bytes / 1e6 / decodeSeconds).toFixed(0),
        cachedLoadSeconds: +cachedSeconds.toFixed(3),
        cachedLoadCpuSeconds: +cachedCpuSeconds.toFixed(3),
        speedupCachedVsDecode: +(decodeSeconds / cachedSeconds).toFixed(1),
        cacheFileMB: +(statSync(cachePathFor(file, stamp, join(root, 'cache'))).size / 1e6).toFixed(1),
        rssGrowthMB: +((rssAfterFirst - heapBefore) / 1e6).toFixed(0),
        rows: [first.table.size, decodeOnly.size, cached?.size],
      },
      null,
      2,
    ),
  );
} finally {
  rmSync(root, { recursive: true, force: true });
}
