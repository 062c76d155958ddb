import { chmodSync, mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { checkDataFileSync, gunzipDataFile, readDataFile, readDataFileSync } from './data-file';
import { UserError } from './errors';

const tmp = mkdtempSync(join(tmpdir(), 'data-file-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const limit = { maxBytes: 1000, fix: 'get a good copy' };

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).not.toContain('\n');
    return (err as Error).message;
  }
  throw new Error('expected a UserError');
}

describe('reading a data file', () => {
  const file = join(tmp, 'good.bin');
  writeFileSync(file, 'hello');

  it('returns the bytes of a good file, sync and async', async () => {
    expect(readDataFileSync(file, limit).toString()).toBe('hello');
    expect((await readDataFile(file, limit)).toString()).toBe('hello');
    expect(checkDataFileSync(file, limit)).toBe(5);
  });

  it('names the file and the problem in one line', async () => {
    const dir = join(tmp, 'a-dir');
    mkdirSync(dir);
    expect(messageOf(() => readDataFileSync(dir, limit))).toBe(`${dir} is a directory, not a file; get a good copy`);
    expect(messageOf(() => readDataFileSync(join(tmp, 'none'), limit))).toMatch(/none does not exist; get a good copy$/);
    const empty = join(tmp, 'empty.bin');
    writeFileSync(empty, '');
    expect(messageOf(() => checkDataFileSync(empty, limit))).toBe(`${empty} is empty; get a good copy`);
    const big = join(tmp, 'big.bin');
    writeFileSync(big, '');
    truncateSync(big, 1001);
    expect(messageOf(() => readDataFileSync(big, limit))).toMatch(/big\.bin is 1001 bytes, more than the 1000 this data file can be/);
    await expect(readDataFile(dir, limit)).rejects.toThrow(/is a directory, not a file/);
  });

  it.skipIf(process.getuid?.() === 0)('says when a file cannot be read', () => {
    const locked = join(tmp, 'locked.bin');
    writeFileSync(locked, 'x');
    chmodSync(locked, 0);
    expect(messageOf(() => readDataFileSync(locked, limit))).toMatch(/locked\.bin cannot be read \(permission denied\)/);
  });
});

describe('decompressing a gzip data file', () => {
  const gz = gzipSync(Buffer.from('a,b\n1,2\n'.repeat(50)));

  it('decompresses a good stream', () => {
    expect(gunzipDataFile('f.gz', gz, limit).toString()).toBe('a,b\n1,2\n'.repeat(50));
  });

  it('names a truncated, corrupt or oversized stream in one line', () => {
    expect(messageOf(() => gunzipDataFile('f.gz', gz.subarray(0, gz.length - 10), limit))).toBe('f.gz: the gzip stream ends early (the file is truncated); get a good copy');
    const corrupt = Buffer.from(gz);
    corrupt[corrupt.length - 6] ^= 0xff; // the CRC32 of the content
    expect(messageOf(() => gunzipDataFile('f.gz', corrupt, limit))).toMatch(/^f\.gz: not a valid gzip file \(incorrect data check\); get a good copy$/);
    expect(messageOf(() => gunzipDataFile('f.gz', Buffer.from('plain text'), limit))).toMatch(/not a valid gzip file/);
    expect(messageOf(() => gunzipDataFile('f.gz', gz, { maxBytes: 100 }))).toMatch(/^f\.gz: decompresses to more than 100 bytes/);
  });
});
