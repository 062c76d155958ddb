import { WfdbFormatError } from './errors';

/** Bytes that `nSamples` frames of `nSignals` interleaved format-212 signals occupy. */
export function format212Bytes(nSignals: number, nSamples: number): number {
  const values = nSignals * nSamples;
  return 3 * Math.floor(values / 2) + (values % 2 === 1 ? 2 : 0);
}

/** Byte where the 12-bit value number `k` of the interleaved stream starts (its low byte or nibble). */
export function format212Offset(k: number): number {
  return 3 * Math.floor(k / 2) + (k % 2);
}

/**
 * Decodes format-212 data: pairs of 12-bit two's-complement values packed in 3 bytes, the frames
 * of `nSignals` signals interleaved, starting at byte `start`. Returns one Int16Array per signal.
 * `nSamples` null means "as many frames as the data holds"; otherwise the data must hold exactly
 * that many.
 */
export function decodeFormat212(data: Uint8Array, nSignals: number, nSamples: number | null, file: string, start = 0): Int16Array[] {
  if (nSignals < 1) throw new WfdbFormatError(file, start, 'format 212 needs at least one signal');
  const available = Math.max(0, data.length - start);
  const frames = nSamples ?? Math.floor(Math.floor((available * 2) / 3) / nSignals);
  const expected = format212Bytes(nSignals, frames);
  if (available < expected) {
    const complete = Math.floor(Math.floor((available * 2) / 3) / nSignals);
    throw new WfdbFormatError(file, data.length, `data ends after ${complete} of ${frames} samples per signal (expected ${start + expected} bytes, found ${data.length})`);
  }
  if (available > expected) {
    throw new WfdbFormatError(file, start + expected, `${available - expected} unexpected byte(s) after the last of ${frames} samples per signal`);
  }

  const out = Array.from({ length: nSignals }, () => new Int16Array(frames));
  const total = frames * nSignals;
  let signal = 0;
  let frame = 0;
  let pos = start;
  for (let k = 0; k < total; k += 2) {
    const b0 = data[pos];
    const b1 = data[pos + 1];
    out[signal][frame] = ((b0 | ((b1 & 0x0f) << 8)) << 20) >> 20;
    if (++signal === nSignals) {
      signal = 0;
      frame++;
    }
    if (k + 1 >= total && (b1 & 0xf0) !== 0) {
      throw new WfdbFormatError(file, pos + 1, `the unused half of the last byte pair is ${b1 >> 4}, not 0 (an odd number of values ends with 4 zero bits)`);
    }
    if (k + 1 < total) {
      const b2 = data[pos + 2];
      out[signal][frame] = ((b2 | ((b1 & 0xf0) << 4)) << 20) >> 20;
      if (++signal === nSignals) {
        signal = 0;
        frame++;
      }
    }
    pos += 3;
  }
  return out;
}

/** The WFDB checksum of a signal: the sum of its samples mod 2^16, read as int16. */
export function signalChecksum(samples: Int16Array): number {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum = (sum + samples[i]) & 0xffff;
  return (sum << 16) >> 16;
}
