import { closeSync, openSync, writeSync } from 'node:fs';
import { maskedCrc32c } from './crc32c';

/** One TFRecord frame around `data`. */
export function encodeTfRecord(data: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(12 + data.length + 4);
  out.writeBigUInt64LE(BigInt(data.length), 0);
  out.writeUInt32LE(maskedCrc32c(out.subarray(0, 8)), 8);
  out.set(data, 12);
  out.writeUInt32LE(maskedCrc32c(data), 12 + data.length);
  return out;
}

/** Writes records as a TFRecord file (as TensorFlow's TFRecordWriter does, uncompressed). */
export function writeTfRecordFile(file: string, records: Iterable<Uint8Array>): void {
  const fd = openSync(file, 'w');
  try {
    const batch: Buffer[] = [];
    let size = 0;
    const flush = (): void => {
      const joined = Buffer.concat(batch, size);
      for (let at = 0; at < joined.length; ) at += writeSync(fd, joined, at);
      batch.length = 0;
      size = 0;
    };
    for (const data of records) {
      const frame = encodeTfRecord(data);
      batch.push(frame);
      size += frame.length;
      if (size >= 8 << 20) flush();
    }
    flush();
  } finally {
    closeSync(fd);
  }
}
