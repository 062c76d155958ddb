import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeFormat212, format212Bytes, signalChecksum } from './format212';
import { WfdbFormatError } from './errors';

/** Test-side packer: the inverse of decoding, written from the format description. */
function encode212(values: number[]): Uint8Array {
  const out = new Uint8Array(format212Bytes(1, values.length));
  for (let k = 0, pos = 0; k < values.length; k += 2, pos += 3) {
    const a = values[k] & 0xfff;
    out[pos] = a & 0xff;
    out[pos + 1] = a >> 8;
    if (k + 1 < values.length) {
      const b = values[k + 1] & 0xfff;
      out[pos + 1] |= (b >> 8) << 4;
      out[pos + 2] = b & 0xff;
    }
  }
  return out;
}

describe('format 212', () => {
  it('unpacks two 12-bit two\'s-complement values from three bytes', () => {
    const [s0, s1] = decodeFormat212(Uint8Array.from([0x01, 0xf0, 0xff]), 2, 1, 't.dat');
    expect([s0[0], s1[0]]).toEqual([1, -1]);
    const [a, b] = decodeFormat212(Uint8Array.from([0xff, 0x87, 0x00]), 2, 1, 't.dat');
    expect([a[0], b[0]]).toEqual([2047, -2048]);
  });

  it('round-trips any interleaved signals, odd value counts included', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 40 }), fc.integer(), (nSig, nSamp, seed) => {
        const values = Array.from({ length: nSig * nSamp }, (_, i) => (((seed + i * 2654435761) >>> 0) % 4096) - 2048);
        const signals = decodeFormat212(encode212(values), nSig, nSamp, 't.dat');
        signals.forEach((sig, s) => expect(Array.from(sig)).toEqual(values.filter((_, i) => i % nSig === s)));
      }),
    );
  });

  it('infers the sample count when the header gives none', () => {
    const [s] = decodeFormat212(encode212([5, 6, 7, 8]), 1, null, 't.dat');
    expect(Array.from(s)).toEqual([5, 6, 7, 8]);
  });

  it('names the offset where truncated or overlong data ends', () => {
    const data = encode212([1, 2, 3, 4, 5, 6]);
    const truncated = (() => {
      try {
        decodeFormat212(data.subarray(0, 7), 2, 3, 'short.dat');
      } catch (err) {
        return err as WfdbFormatError;
      }
      return null;
    })();
    expect(truncated).toBeInstanceOf(WfdbFormatError);
    expect(truncated?.offset).toBe(7);
    expect(truncated?.message).toMatch(/^short\.dat: data ends after 2 of 3 samples per signal/);
    expect(() => decodeFormat212(Uint8Array.from([...data, 0]), 2, 3, 'long.dat')).toThrow(/long\.dat: 1 unexpected byte\(s\) .* at byte 9;/);
  });

  it('computes the 16-bit checksum with wrap-around', () => {
    expect(signalChecksum(Int16Array.from([1, 2, -4]))).toBe(-1);
    expect(signalChecksum(Int16Array.from(Array(40).fill(2047)))).toBe(((40 * 2047) << 16) >> 16);
  });
});
