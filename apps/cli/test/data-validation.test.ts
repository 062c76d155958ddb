import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { resolveDataDir } from '@dcl-enas/common';
import { gunzipSync, gzipSync } from 'node:zlib';
import { NB101_DIR, NB101_SAMPLE_FILE, NB101_SPACE_FILE, NB101_SUBSET_FILE, NB201_FILE, nb201Fixtures } from '@dcl-enas/benchmarks';

/**
 * Issue 13: no figures from bad data. A corrupted copy of one data file, beside links to the
 * real others, is refused with one line by `enas data check` and by `enas search`, both run as
 * child processes the way `npm run -s enas --` runs them.
 */
const root = resolve(__dirname, '..', '..', '..');
const shared = resolveDataDir();
const tmp = mkdtempSync(join(tmpdir(), 'enas-bad-data-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function enas(args: string[], dataDir: string) {
  const r = spawnSync(process.execPath, ['-r', './tools/register.cjs', 'apps/cli/src/main.ts', ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, ENAS_DATA_DIR: dataDir, XDG_CACHE_HOME: join(tmp, 'cache'), ENAS_CACHE_DIR: join(tmp, 'cache') },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A data folder whose NB201 table is `nb201` (a folder made by nb201Fixtures), with links to the real NB101 and MIT-BIH folders. */
function withRealOthers(dataDir: string, keep: 'nasbench101' | 'mitdb' | null = null): string {
  for (const name of ['nasbench101', 'mitdb'] as const) if (name !== keep) symlinkSync(join(shared, name), join(dataDir, name));
  return dataDir;
}
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const badNb201: [string, () => string, (file: string) => RegExp][] = [
  ...(['NaN', 'abc', '1e400', '150'] as const).map((value): [string, () => string, (file: string) => RegExp] => [
    `hp12_c10v_val ${value}`,
    () => nb201Fixtures.editedNb201DataDir(tmp, (lines) => nb201Fixtures.setNb201Field(lines, 8, 'hp12_c10v_val', value)),
    (file) => new RegExp(`^${escape(file)} line 8: column hp12_c10v_val is "${escape(value)}", not a number in \\[0, 100\\]$`),
  ]),
  [
    'an empty hp12_c10v_val',
    () => nb201Fixtures.editedNb201DataDir(tmp, (lines) => nb201Fixtures.setNb201Field(lines, 8, 'hp12_c10v_val', '')),
    (file) => new RegExp(`^${escape(file)} line 8: column hp12_c10v_val is empty, not a number in \\[0, 100\\]$`),
  ],
  [
    'a line missing a field',
    () => nb201Fixtures.editedNb201DataDir(tmp, (lines) => {
      lines[7] = lines[7].replace(/,[^,]*$/, '');
    }),
    (file) => new RegExp(`^${escape(file)} line 8: has 16 field\\(s\\), expected 17 `),
  ],
  [
    'a missing column',
    () => nb201Fixtures.editedNb201DataDir(tmp, (lines) => {
      for (let i = 0; i < lines.length; i++) lines[i] = lines[i].split(',').filter((_, c) => c !== 6).join(',');
    }),
    (file) => new RegExp(`^${escape(file)}: column "hp12_c10v_val" is missing; `),
  ],
  [
    'a truncated .gz file',
    () => nb201Fixtures.nb201DataDir(tmp, readFileSync(join(shared, NB201_FILE)).subarray(0, 300_000)),
    (file) => new RegExp(`^${escape(file)}: the gzip stream ends early \\(the file is truncated\\); `),
  ],
  [
    'a directory in place of the file',
    () => {
      const dataDir = mkdtempSync(join(tmp, 'dir-'));
      mkdirSync(join(dataDir, NB201_FILE), { recursive: true });
      return dataDir;
    },
    (file) => new RegExp(`^${escape(file)} is a directory, not a file; `),
  ],
];

describe.each(badNb201)('NB201 table with %s', (_name, make, line) => {
  const dataDir = withRealOthers(make());
  const file = join(dataDir, NB201_FILE);

  it('enas data check says BAD with the line and exits non-zero', () => {
    const r = enas(['data', 'check'], dataDir);
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n');
    const nb201 = lines.find((l) => l.startsWith('BAD     nb201  '));
    expect(nb201, r.stdout).toBeDefined();
    expect(nb201!.slice('BAD     nb201  '.length)).toMatch(line(file));
    expect(lines.filter((l) => l.startsWith('ok     '))).toHaveLength(4); // nb101's sample, subset and space, and mitdb: the real ones
    const json = JSON.parse(enas(['data', 'check', '--json'], dataDir).stdout);
    expect(json.checks[0]).toMatchObject({ name: 'nb201', status: 'BAD', ok: false, detail: expect.stringMatching(line(file)) });
  });

  it('enas search exits 2 with that one line on stderr and no stack trace', () => {
    const r = enas(['search', '--space', 'nb201', '--dataset', 'cifar10', '--strategy', 'rea', '--queries', '10', '--json'], dataDir);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.endsWith('\n')).toBe(true);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0].startsWith('enas: ')).toBe(true);
    expect(lines[0].slice('enas: '.length)).toMatch(line(file));
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
  });
});

describe('enas data check on the other data sets', () => {
  it('says BAD for a damaged NB101 subset and a damaged MIT-BIH record, and ok for the real data', () => {
    const dataDir = mkdtempSync(join(tmp, 'others-'));
    symlinkSync(join(shared, 'nasbench201'), join(dataDir, 'nasbench201'));
    mkdirSync(join(dataDir, NB101_DIR));
    writeFileSync(join(dataDir, NB101_DIR, NB101_SUBSET_FILE), readFileSync(join(shared, NB101_DIR, NB101_SUBSET_FILE)).subarray(0, 5000));
    mkdirSync(join(dataDir, 'mitdb'));
    for (const f of ['hea', 'dat', 'atr'].flatMap((ext) => readFileSync(join(shared, 'mitdb', 'RECORDS'), 'utf8').split(/\s+/).filter(Boolean).map((r) => `${r}.${ext}`))) {
      symlinkSync(join(shared, 'mitdb', f), join(dataDir, 'mitdb', f));
    }
    rmSync(join(dataDir, 'mitdb', '208.hea'));
    writeFileSync(join(dataDir, 'mitdb', '208.hea'), readFileSync(join(shared, 'mitdb', '208.hea'), 'latin1').replace(' 650000', ' 650000x'));
    const r = enas(['data', 'check'], dataDir);
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n').slice(1);
    expect(lines[0]).toMatch(/^ok {6}nb201 {2}15625 cells/);
    expect(lines.slice(1, 5).map((l) => l.slice(0, 15))).toEqual(['absent  nb101  ', 'absent  nb101  ', 'BAD     nb101  ', 'absent  nb101  ']);
    expect(lines[3]).toMatch(/^BAD {5}nb101 {2}\S+nb101_naslib_zc_subset500\.jsonl\.gz: the gzip stream ends early/);
    expect(lines[5]).toMatch(/^BAD {5}mitdb {2}\S+208\.hea: number of samples "650000x" is not an integer at byte \d+; /);
  });

  it('says, for each NB101 file of the real data, whether it is there and what it allows', () => {
    const r = enas(['data', 'check'], shared);
    const nb101 = r.stdout.split('\n').filter((l) => l.slice(8, 15) === 'nb101  ');
    expect(nb101.map((l) => l.slice(0, 8).trim() + ' ' + l.slice(15).split(':')[0])).toEqual(['absent release', 'ok sample', 'ok subset', 'ok space']);
    expect(nb101[0]).toMatch(/release: no nasbench_only108\.tfrecord; a search over NB101 needs it/);
    expect(nb101[1]).toMatch(new RegExp(`sample: ${escape(join(shared, NB101_DIR, NB101_SAMPLE_FILE))} \\(20001 cells\\): 108-epoch validation accuracy of one run, training time and params, no test accuracy; queries on these cells$`));
    expect(nb101[2]).toMatch(/subset: 500-line subset \S+ \(292 distinct cells\): validation accuracy only; not used: the sample comes first$/);
    expect(nb101[3]).toMatch(new RegExp(`space: ${escape(join(shared, NB101_DIR, NB101_SPACE_FILE))} \\(423624 cells, sha256 as published\\)`));
    const json = JSON.parse(enas(['data', 'check', '--json'], shared).stdout);
    expect(json.checks.filter((c: { name: string }) => c.name === 'nb101').map((c: { status: string; ok: boolean }) => [c.status, c.ok])).toEqual([
      ['absent', true],
      ['ok', true],
      ['ok', true],
      ['ok', true],
    ]);
  });

  it('says BAD for a damaged NB101 sample, naming file and line, and exits non-zero', () => {
    const dataDir = withRealOthers(mkdtempSync(join(tmp, 'bad-sample-')), 'nasbench101');
    symlinkSync(join(shared, 'nasbench201'), join(dataDir, 'nasbench201'));
    mkdirSync(join(dataDir, NB101_DIR));
    const lines = gunzipSync(readFileSync(join(shared, NB101_DIR, NB101_SAMPLE_FILE))).toString('utf8').split('\n');
    lines[41] = lines[41].replace(/,[^,]*$/, ',-3');
    const file = join(dataDir, NB101_DIR, NB101_SAMPLE_FILE);
    writeFileSync(file, gzipSync(lines.join('\n')));
    const r = enas(['data', 'check'], dataDir);
    expect(r.code).toBe(1);
    const bad = r.stdout.split('\n').filter((l) => l.startsWith('BAD     '));
    expect(bad).toEqual([`BAD     nb101  ${file} line 42: column params is "-3", not an integer >= 0; re-copy the file from the data set (nasbench101/README.txt, section "Added", gives its sha256)`]);
  });

  it('says ok for the real data, and exit 0', () => {
    const r = enas(['data', 'check'], shared);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n').slice(1).map((l) => l.slice(0, 14))).toEqual(['ok      nb201 ', 'absent  nb101 ', 'ok      nb101 ', 'ok      nb101 ', 'ok      nb101 ', 'ok      mitdb ']);
  });
});
