import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { maskedCrc32c } from './crc32c';
import { TfRecordError } from './tfrecord-error';

const HEADER = 12;
const FOOTER = 4;
const hex = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;
const INCOMPLETE = 'the download is incomplete; fetch the file again';

/**
 * Streams the records of a TFRecord file: per record a uint64 length, the masked CRC32C of those
 * 8 bytes, the data, the masked CRC32C of the data (all little-endian). Both CRCs are checked.
 * `onRecord` gets a view into a reused buffer, valid only during the call, and the record's
 * byte offset in the file. Reads in chunks, so memory stays flat whatever the file size.
 */
export function readTfRecordsSync(
  file: string,
  onRecord: (data: Buffer, offset: number) => void,
  chunkBytes = 16 << 20,
): { records: number; bytes: number } {
  const fd = openSync(file, 'r');
  try {
    const fileBytes = fstatSync(fd).size;
    let buf = Buffer.allocUnsafe(chunkBytes);
    let start = 0; // first unparsed byte in buf
    let end = 0; // end of valid bytes in buf
    let base = 0; // file offset of buf[0]
    let records = 0;
    /** Moves the unparsed tail to the front, makes room for `need` bytes, reads; false at end of file. */
    const fill = (need: number): boolean => {
      const target = need > buf.length ? Buffer.allocUnsafe(Math.max(need, 2 * buf.length)) : buf;
      if (start > 0 || target !== buf) {
        buf.copy(target, 0, start, end);
        base += start;
        end -= start;
        start = 0;
        buf = target;
      }
      const read = readSync(fd, buf, end, buf.length - end, base + end);
      end += read;
      return read > 0;
    };
    for (;;) {
      const offset = base + start;
      if (end - start < HEADER) {
        if (fill(HEADER)) continue;
        if (end === start) return { records, bytes: offset };
        throw new TfRecordError(file, offset, `truncated record header (${end - start} of ${HEADER} bytes)`, INCOMPLETE);
      }
      const lengthCrc = maskedCrc32c(buf.subarray(start, start + 8));
      const storedLengthCrc = buf.readUInt32LE(start + 8);
      if (lengthCrc !== storedLengthCrc) {
        throw new TfRecordError(file, offset, `corrupt record length (CRC stored ${hex(storedLengthCrc)}, computed ${hex(lengthCrc)})`);
      }
      const length = Number(buf.readBigUInt64LE(start));
      const total = HEADER + length + FOOTER;
      if (end - start < total) {
        if (offset + total <= fileBytes && fill(total)) continue;
        throw new TfRecordError(file, offset, `truncated record (needs ${total} bytes, ${fileBytes - offset} left in the file)`, INCOMPLETE);
      }
      const data = buf.subarray(start + HEADER, start + HEADER + length);
      const dataCrc = maskedCrc32c(data);
      const storedDataCrc = buf.readUInt32LE(start + HEADER + length);
      if (dataCrc !== storedDataCrc) {
        throw new TfRecordError(file, offset, `corrupt record data (CRC stored ${hex(storedDataCrc)}, computed ${hex(dataCrc)})`);
      }
      onRecord(data, offset);
      records++;
      start += total;
    }
  } finally {
    closeSync(fd);
  }
}
