import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { appendDurableSync, readJournalSync, writeFileAtomicSync } from './durable-file';

const root = resolve(__dirname, '..', '..', '..');
const fresh = () => mkdtempSync(join(tmpdir(), 'durable-'));

/**
 * Runs `code` (JavaScript, with `d` = this module) in a child process whose file size limit is
 * `kb` KiB (bash `ulimit -f`): a write past it fails part way with EFBIG, as on a full disk.
 */
function withFileSizeLimit(kb: number, code: string) {
  const script = `const d = require(${JSON.stringify(join(root, 'libs/common/src/durable-file.ts'))}); ${code}`;
  const r = spawnSync('bash', ['-c', `ulimit -f ${kb}; exec "$0" -r ./tools/register.cjs -e "$1"`, process.execPath, script], { cwd: root, encoding: 'utf8' });
  return { code: r.status, stderr: r.stderr };
}

describe('writeFileAtomicSync', () => {
  it('replaces the file and leaves no temporary file', () => {
    const dir = fresh();
    const file = join(dir, 'result.json');
    writeFileAtomicSync(file, 'old\n');
    writeFileAtomicSync(file, Buffer.from('new\n'));
    expect(readFileSync(file, 'utf8')).toBe('new\n');
    expect(readdirSync(dir)).toEqual(['result.json']);
  });

  it('removes the temporary files of writers that died mid-write, not those of live ones', () => {
    const dir = fresh();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    writeFileSync(join(dir, `.result.json.${dead}.0.tmp`), 'half');
    writeFileSync(join(dir, `.result.json.${process.ppid}.0.tmp`), 'in progress');
    writeFileAtomicSync(join(dir, 'result.json'), 'new\n');
    expect(readdirSync(dir).sort()).toEqual([`.result.json.${process.ppid}.0.tmp`, 'result.json']);
  });

  it('keeps the old content when the new content cannot be written (file size limit)', () => {
    const dir = fresh();
    const file = join(dir, 'result.json');
    writeFileSync(file, 'old\n');
    const r = withFileSizeLimit(4, `try { d.writeFileAtomicSync(${JSON.stringify(file)}, 'x'.repeat(64 * 1024)); } catch (e) { process.stderr.write(e.message); process.exit(3); }`);
    expect(r.stderr).toBe(`cannot write ${file}: the file size limit was reached (ulimit -f) (EFBIG)`);
    expect(r.code).toBe(3);
    expect(readFileSync(file, 'utf8')).toBe('old\n');
    expect(readdirSync(dir)).toEqual(['result.json']);
  });

  it('names the file and the cause when the path cannot be written', () => {
    const dir = fresh();
    mkdirSync(join(dir, 'bench.md')); // a directory where the file should go
    expect(() => writeFileAtomicSync(join(dir, 'bench.md'), 'x', 'remove it')).toThrow(`cannot write ${join(dir, 'bench.md')}: the path is a directory (EISDIR); remove it`);
    expect(readdirSync(dir)).toEqual(['bench.md']);
    expect(() => writeFileAtomicSync(join(dir, 'missing', 'x.json'), 'x')).toThrow(/missing\/x\.json: the directory does not exist \(ENOENT\)/);
  });
});

describe('appendDurableSync and readJournalSync', () => {
  it('rolls a failed append back to the last whole line', () => {
    const dir = fresh();
    const file = join(dir, 'runs.jsonl');
    appendDurableSync(file, 'a\n');
    appendDurableSync(file, 'b\n');
    const r = withFileSizeLimit(2, `try { d.appendDurableSync(${JSON.stringify(file)}, 'c'.repeat(8192) + '\\n', 'resume later'); } catch (e) { process.stderr.write(e.message); process.exit(3); }`);
    expect(r.stderr).toBe(`cannot write ${file}: the file size limit was reached (ulimit -f) (EFBIG); resume later`);
    expect(r.code).toBe(3);
    expect(readFileSync(file, 'utf8')).toBe('a\nb\n'); // the 2 KiB that did get written are cut off again
    appendDurableSync(file, 'c\n');
    expect(readJournalSync(file)).toEqual({ lines: ['a', 'b', 'c'], droppedBytes: 0 });
  });

  it('reads nothing from a missing file and cuts a torn last line off the file', () => {
    const dir = fresh();
    const file = join(dir, 'runs.jsonl');
    expect(readJournalSync(file)).toEqual({ lines: [], droppedBytes: 0 });
    writeFileSync(file, '{"a":1}\n{"a":2}'); // complete JSON, but its newline never made it: torn
    expect(readJournalSync(file)).toEqual({ lines: ['{"a":1}'], droppedBytes: 7 });
    expect(readFileSync(file, 'utf8')).toBe('{"a":1}\n');
    appendDurableSync(file, '{"a":2}\n');
    expect(readJournalSync(file).lines).toEqual(['{"a":1}', '{"a":2}']);
  });

  it('after a crash at any byte, keeps exactly the lines written whole and appends cleanly after them', () => {
    const dir = fresh();
    let n = 0;
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme', maxLength: 40 }).map((s) => JSON.stringify({ s })), { minLength: 1, maxLength: 12 }), fc.nat(), (records, cutAt) => {
        const file = join(dir, `j${n++}.jsonl`);
        for (const r of records) appendDurableSync(file, r + '\n');
        const size = statSync(file).size;
        const cut = cutAt % (size + 1);
        truncateSync(file, cut); // the process died with only `cut` bytes on disk
        const whole = Buffer.from(records.map((r) => r + '\n').join('')).subarray(0, cut).toString('utf8').split('\n').slice(0, -1);
        expect(readJournalSync(file).lines).toEqual(whole);
        expect(records.slice(0, whole.length)).toEqual(whole);
        appendDurableSync(file, '{"next":true}\n');
        expect(readJournalSync(file).lines).toEqual([...whole, '{"next":true}']);
      }),
      { numRuns: 200, seed: 9 },
    );
  });
});
