import { beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Rng } from '@dcl-enas/common';

/**
 * Issue 9, item 3: the embedded store survives crashes and failed writes. A real `enas bench
 * --out` is killed (SIGKILL) at seeded random points and resumed until it finishes; a write is
 * made to fail by a file size limit (EFBIG part way through a line, as on a full disk) and by a
 * path that cannot be written. The run log must end equal to an undisturbed run's.
 */
const root = resolve(__dirname, '..', '..', '..');
const BENCH = ['bench', '--space', 'nb201', '--dataset', 'cifar10', '--strategies', 'random,rea', '--queries', '50,100', '--seeds', '0..9'];
const RUNS = 40; // 2 strategies x 2 budgets x 10 seeds
const cli = ['-r', './tools/register.cjs', 'apps/cli/src/main.ts'];

function enas(args: string[], fileSizeLimitKb?: number) {
  const r =
    fileSizeLimitKb === undefined
      ? spawnSync(process.execPath, [...cli, ...args], { cwd: root, encoding: 'utf8' })
      : spawnSync('bash', ['-c', `ulimit -f ${fileSizeLimitKb}; exec "$@"`, 'bash', process.execPath, ...cli, ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The lines of runs.jsonl, checked to be a valid journal: whole JSON lines, each run once. */
function journal(dir: string): Record<string, unknown>[] {
  const file = join(dir, 'runs.jsonl');
  if (!existsSync(file)) return [];
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n');
  const tail = lines.pop();
  const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  const ids = records.map((r) => `${r['strategy']}@${r['queries']}#${r['seed']}`);
  expect(new Set(ids).size, 'a run recorded twice').toBe(ids.length);
  return tail === '' ? records : [...records, { torn: tail }];
}

const withoutWallTime = (records: Record<string, unknown>[]) => records.map(({ wallSeconds: _w, ...r }) => r);

describe('the bench run log (runs.jsonl) under crashes and failed writes', () => {
  let undisturbed: Record<string, unknown>[];
  beforeAll(() => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-whole-'));
    const r = enas([...BENCH, '--out', dir, '--json']);
    expect(r.code, r.stderr).toBe(0);
    undisturbed = journal(dir);
    expect(undisturbed).toHaveLength(RUNS);
  });

  it('killed with SIGKILL at random points and resumed, ends with the same records, none lost or duplicated', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-killed-'));
    const rng = Rng.seeded(2026);
    const kills: number[] = [];
    let torn = 0;
    for (let attempt = 0; attempt < 8; attempt++) {
      const before = journal(dir).length;
      if (before >= RUNS - 2) break;
      // Kill once the log has grown by 1-4 lines, 0-20 ms later; or (one time in five) 0.3-1.5 s after start, during start-up or the first searches.
      const target = before + rng.int(0, 4);
      const lag = rng.int(0, 20);
      const early = rng.int(300, 1500);
      const child = spawn(process.execPath, [...cli, ...BENCH, '--out', dir, '--json'], { cwd: root, stdio: 'ignore' });
      const exited = new Promise<NodeJS.Signals | null>((r) => child.once('exit', (_code, signal) => r(signal)));
      const started = Date.now();
      const poll = setInterval(() => {
        const size = existsSync(join(dir, 'runs.jsonl')) ? readFileSync(join(dir, 'runs.jsonl'), 'utf8').split('\n').length - 1 : 0;
        if (target > before ? size >= target : Date.now() - started > early) {
          clearInterval(poll);
          setTimeout(() => child.kill('SIGKILL'), lag);
        }
      }, 2);
      const signal = await exited;
      clearInterval(poll);
      if (signal === 'SIGKILL') kills.push(journal(dir).length);
      const now = journal(dir);
      // Whatever the moment of the kill: whole records only (a torn tail at most), each a prefix of the undisturbed run.
      const whole = now.filter((r) => !('torn' in r));
      if (whole.length < now.length) torn++;
      expect(withoutWallTime(whole)).toEqual(withoutWallTime(undisturbed.slice(0, whole.length)));
    }
    expect(kills.length).toBeGreaterThanOrEqual(3);
    console.log(`durability: ${kills.length} SIGKILLs, the log then held ${kills.join(', ')} of ${RUNS} runs; ${torn} left a torn last line`);
    const last = enas([...BENCH, '--out', dir, '--json']);
    expect(last.code, last.stderr).toBe(0);
    expect(withoutWallTime(journal(dir))).toEqual(withoutWallTime(undisturbed));
    expect(JSON.parse(last.stdout).rows.map((r: { runs: number }) => r.runs)).toEqual([10, 10, 10, 10]);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  }, 120_000);

  it('a write cut short by a file size limit (EFBIG) is reported in one line and rolled back; the bench then resumes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-full-'));
    const r = enas([...BENCH, '--out', dir], 16); // 16 KiB: runs.jsonl reaches it after about 18 of its 40 lines
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n').pop()).toBe(
      `enas: cannot write ${join(dir, 'runs.jsonl')}: the file size limit was reached (ulimit -f) (EFBIG); the runs stored so far are kept: make room and run the same command again to resume`,
    );
    const kept = journal(dir);
    expect(kept.length).toBeGreaterThan(5);
    expect(kept.length).toBeLessThan(RUNS);
    expect(kept.some((x) => 'torn' in x)).toBe(false); // the part of the line that did fit was cut off again
    expect(withoutWallTime(kept)).toEqual(withoutWallTime(undisturbed.slice(0, kept.length)));
    const resumed = enas([...BENCH, '--out', dir]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(withoutWallTime(journal(dir))).toEqual(withoutWallTime(undisturbed));
  });

  // A real full disk: a 20 KiB tmpfs. Mounting needs root (CAP_SYS_ADMIN); elsewhere this case is skipped and the EFBIG case above stands in.
  const mountPoint = mkdtempSync(join(tmpdir(), 'bench-tmpfs-'));
  const mount = (options: string) => spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', mountPoint], { encoding: 'utf8' }).status === 0;
  const canMount = mount('size=20k') && spawnSync('umount', [mountPoint]).status === 0;
  it.skipIf(!canMount)('a full disk (ENOSPC on a 20 KiB tmpfs) is reported in one line and leaves whole lines; after making room the bench resumes', () => {
    expect(mount('size=20k')).toBe(true);
    try {
      const dir = join(mountPoint, 'bench');
      const r = enas([...BENCH, '--out', dir]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n').pop()).toBe(
        `enas: cannot write ${join(dir, 'runs.jsonl')}: the disk is full (ENOSPC); the runs stored so far are kept: make room and run the same command again to resume`,
      );
      const kept = journal(dir);
      expect(kept.some((x) => 'torn' in x)).toBe(false);
      expect(kept.length).toBeGreaterThan(5);
      expect(withoutWallTime(kept)).toEqual(withoutWallTime(undisturbed.slice(0, kept.length)));
      expect(spawnSync('mount', ['-o', 'remount,size=1m', mountPoint]).status).toBe(0); // make room
      const resumed = enas([...BENCH, '--out', dir]);
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(withoutWallTime(journal(dir))).toEqual(withoutWallTime(undisturbed));
    } finally {
      spawnSync('umount', [mountPoint]);
    }
  });

  it('a result file that cannot be written is named in one line, and the stored runs are not run again', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-blocked-'));
    mkdirSync(join(dir, 'bench.md')); // the path of bench.md is taken by a directory
    const r = enas([...BENCH, '--out', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n').pop()).toBe(`enas: cannot write ${join(dir, 'bench.md')}: the path is a directory (EISDIR)`);
    const stored = readFileSync(join(dir, 'runs.jsonl'), 'utf8');
    expect(journal(dir)).toHaveLength(RUNS);
    rmdirSync(join(dir, 'bench.md'));
    const again = enas([...BENCH, '--out', dir]);
    expect(again.code, again.stderr).toBe(0);
    expect(readFileSync(join(dir, 'runs.jsonl'), 'utf8')).toBe(stored); // byte for byte: nothing ran twice
    expect(readFileSync(join(dir, 'bench.md'), 'utf8')).toMatch(/\| rea \| 100 \| 10 \|/);
  });
});
