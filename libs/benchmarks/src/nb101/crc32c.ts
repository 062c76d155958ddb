import crc32c from '@chainsafe/fast-crc32c';

/** TFRecord's masked CRC32C (tensorflow/core/lib/hash/crc32c.h): rotate right by 15, add a constant. */
export function maskedCrc32c(bytes: Uint8Array): number {
  const crc = crc32c.calculate(bytes) >>> 0;
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
}
