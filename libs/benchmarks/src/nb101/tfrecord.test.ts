import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng, UserError } from '@dcl-enas/common';
import { maskedCrc32c } from './crc32c';
import { readTfRecordsSync } from './tfrecord-reader';
import { encodeTfRecord, writeTfRecordFile } from './tfrecord-writer';
import { TfRecordError } from './tfrecord-error';

const dir = mkdtempSync(join(tmpdir(), 'tfrecord-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function randomRecords(seed: number, count: number, maxLength: number): Buffer[] {
  const rng = Rng.seeded(seed);
  return Array.from({ length: count }, () => Buffer.from(Array.from({ length: rng.int(0, maxLength) }, () => rng.below(256))));
}

function readAll(file: string, chunkBytes?: number): { data: Buffer[]; offsets: number[] } {
  const data: Buffer[] = [];
  const offsets: number[] = [];
  readTfRecordsSync(file, (d, offset) => {
    data.push(Buffer.from(d));
    offsets.push(offset);
  }, chunkBytes);
  return { data, offsets };
}

describe('TFRecord framing', () => {
  it('masks CRC32C as TensorFlow does', () => {
    // Vector from the tfrecord_slow package tests (make_masked_crc(b"1234567890asdfghjkl")).
    expect(maskedCrc32c(Buffer.from('1234567890asdfghjkl'))).toBe(4134599430);
  });

  it('frames a record as length, masked CRC of the length, data, masked CRC of the data', () => {
    const frame = encodeTfRecord(Buffer.from('abc'));
    expect(frame.length).toBe(8 + 4 + 3 + 4);
    expect(frame.readBigUInt64LE(0)).toBe(3n);
    expect(frame.readUInt32LE(8)).toBe(maskedCrc32c(frame.subarray(0, 8)));
    expect(frame.subarray(12, 15).toString()).toBe('abc');
    expect(frame.readUInt32LE(15)).toBe(maskedCrc32c(Buffer.from('abc')));
  });

  it.each([16 << 20, 64, 13])('reads back what it wrote, across chunk boundaries (chunk %i bytes)', (chunk) => {
    const records = randomRecords(7, 200, 300);
    const file = join(dir, `roundtrip-${chunk}.tfrecord`);
    writeTfRecordFile(file, records);
    const { data, offsets } = readAll(file, chunk);
    expect(data).toEqual(records);
    let at = 0;
    records.forEach((r, i) => {
      expect(offsets[i]).toBe(at);
      at += r.length + 16;
    });
  });

  describe('damaged files', () => {
    const records = randomRecords(9, 20, 100).map((r) => Buffer.concat([Buffer.from('x'), r]));
    const good = join(dir, 'good.tfrecord');
    writeTfRecordFile(good, records);
    const bytes = readFileSync(good);
    const offsetOf = (k: number): number => records.slice(0, k).reduce((n, r) => n + r.length + 16, 0);
    const damaged = (name: string, edit: (b: Buffer) => Buffer): string => {
      const file = join(dir, name);
      writeFileSync(file, edit(Buffer.from(bytes)));
      return file;
    };
    const failure = (file: string): TfRecordError => {
      try {
        readAll(file);
      } catch (error) {
        return error as TfRecordError;
      }
      throw new Error(`${file} was read without error`);
    };

    it('names the file and offset of a record whose data byte flipped', () => {
      const k = 7;
      const file = damaged('data-flip.tfrecord', (b) => {
        b[offsetOf(k) + 12] ^= 0x20;
        return b;
      });
      const error = failure(file);
      expect(error).toBeInstanceOf(UserError);
      expect(error.offset).toBe(offsetOf(k));
      expect(error.message).toContain(file);
      expect(error.message).toMatch(new RegExp(`corrupt record data \\(CRC stored 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}\\) at byte offset ${offsetOf(k)}; the file is damaged`));
    });

    it('catches a damaged length before trusting it', () => {
      const k = 3;
      const file = damaged('length-flip.tfrecord', (b) => {
        b[offsetOf(k) + 1] ^= 0x01;
        return b;
      });
      expect(failure(file).message).toMatch(new RegExp(`corrupt record length .* at byte offset ${offsetOf(k)};`));
    });

    it('catches a damaged data CRC', () => {
      const k = 19;
      const file = damaged('crc-flip.tfrecord', (b) => {
        b[b.length - 1] ^= 0xff;
        return b;
      });
      expect(failure(file).offset).toBe(offsetOf(k));
    });

    it('reports a file cut inside a record as truncated, with the offset', () => {
      const k = 12;
      const file = damaged('cut-data.tfrecord', (b) => b.subarray(0, offsetOf(k) + 20));
      const error = failure(file);
      expect(error.offset).toBe(offsetOf(k));
      expect(error.message).toMatch(/truncated record \(needs \d+ bytes, 20 left in the file\) at byte offset \d+; the download is incomplete/);
    });

    it('reports a file cut inside a record header as truncated', () => {
      const k = 5;
      const file = damaged('cut-header.tfrecord', (b) => b.subarray(0, offsetOf(k) + 5));
      expect(failure(file).message).toMatch(new RegExp(`truncated record header \\(5 of 12 bytes\\) at byte offset ${offsetOf(k)}`));
    });
  });
});
