/**
 * Wall time of a whole 100-query NB201 search as a user runs it (`npm run -s enas -- search`),
 * process start-up and data loading included. Prints the figures and the command.
 * With `cold`, every run starts from an empty stage-1 cache (a fresh ENAS_CACHE_DIR), so a
 * predictor-guided strategy pre-trains its encoder inside the timed run.
 * Run: npm run -s tool -- tools/bench/search-wall.ts [strategy] [repeats] [cold]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const strategy = process.argv[2] ?? 'rea';
const repeats = Number(process.argv[3] ?? 10);
const cold = process.argv[4] === 'cold';
const root = resolve(__dirname, '..', '..');
const args = ['run', '-s', 'enas', '--', 'search', '--space', 'nb201', '--dataset', 'cifar10', '--strategy', strategy, '--queries', '100', '--json'];

const walls: number[] = [];
for (let i = 0; i < repeats; i++) {
  const cacheDir = cold ? mkdtempSync(join(tmpdir(), 'enas-cold-')) : null;
  const env = cacheDir ? { ...process.env, ENAS_CACHE_DIR: cacheDir } : process.env;
  const started = performance.now();
  const r = spawnSync('npm', [...args, '--seed', String(i)], { cwd: root, encoding: 'utf8', env });
  const wall = (performance.now() - started) / 1000;
  if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
  if (r.status !== 0) throw new Error(`search failed: ${r.stderr}`);
  walls.push(wall);
}
walls.sort((a, b) => a - b);
const median = walls[Math.floor(walls.length / 2)];
process.stdout.write(
  [
    `100-query NB201 cifar10 search, strategy ${strategy}, ${repeats} runs (seeds 0..${repeats - 1}), start-up included${cold ? ', stage-1 cache empty (cold)' : ''}:`,
    `  wall seconds: min ${walls[0].toFixed(2)}, median ${median.toFixed(2)}, max ${walls[walls.length - 1].toFixed(2)}`,
    `  command: ${cold ? 'ENAS_CACHE_DIR=<empty dir> ' : ''}npm ${args.join(' ')} --seed S`,
    `  reproduce: npm run -s tool -- tools/bench/search-wall.ts ${strategy} ${repeats}${cold ? ' cold' : ''}`,
  ].join('\n') + '\n',
);
