import { describe, expect, it } from 'vitest';
import { decodeAnnotations } from './annotations';
import { WfdbFormatError } from './errors';

const word = (code: number, field: number): number[] => {
  const w = (code << 10) | (field & 0x3ff);
  return [w & 0xff, w >> 8];
};
const skip = (interval: number): number[] => {
  const u = interval >>> 0;
  const high = u >>> 16;
  const low = u & 0xffff;
  return [...word(59, 0), high & 0xff, high >> 8, low & 0xff, low >> 8];
};
const aux = (text: string): number[] => {
  const bytes = [...Buffer.from(text, 'latin1')];
  return [...word(63, bytes.length), ...bytes, ...(bytes.length % 2 ? [0] : [])];
};
const END = [0, 0];

function errorOf(bytes: number[]): WfdbFormatError {
  try {
    decodeAnnotations(Uint8Array.from(bytes), 'x.atr');
  } catch (err) {
    if (err instanceof WfdbFormatError) return err;
    throw err;
  }
  throw new Error('expected a WfdbFormatError');
}

describe('decodeAnnotations', () => {
  it('accumulates times and applies SKIP, NUM, SUB, CHN and AUX', () => {
    const bytes = [
      ...word(28, 18), ...aux('(N\0'),        // '+' at 18; odd-length text, padded, NUL dropped
      ...word(1, 59),                          // N at 77
      ...skip(100000), ...word(5, 3),          // V at 77 + 100000 + 3
      ...word(61, 1023), ...word(62, 1), ...word(60, 7), // SUB -1, CHN 1, NUM 7 for that V
      ...word(8, 300), ...aux('(AFIB)!'),     // A inherits CHN and NUM; odd-length text
      ...END,
    ];
    const anns = decodeAnnotations(Uint8Array.from(bytes), 'x.atr');
    expect(anns.map((a) => [a.symbol, a.sample, a.subtype, a.chan, a.num, a.aux])).toEqual([
      ['+', 18, 0, 0, 0, '(N'],
      ['N', 77, 0, 0, 0, null],
      ['V', 100080, -1, 1, 7, null],
      ['A', 100380, 0, 1, 7, '(AFIB)!'],
    ]);
    expect(anns[1].offset).toBe(8);
  });

  it('handles negative SKIP intervals', () => {
    const anns = decodeAnnotations(Uint8Array.from([...word(1, 500), ...skip(-300), ...word(1, 0), ...END]), 'x.atr');
    expect(anns.map((a) => a.sample)).toEqual([500, 200]);
  });

  it('reports the byte where a file is damaged or cut', () => {
    const good = [...word(1, 10), ...word(1, 10)];
    expect(errorOf(good).offset).toBe(4);
    expect(errorOf(good).message).toContain('without the end-of-file marker');
    expect(errorOf([...good, 0]).offset).toBe(4);
    expect(errorOf([...word(1, 10), ...word(55, 3), ...END]).message).toMatch(/^x\.atr: undefined annotation code 55 .* at byte 2;/);
    expect(errorOf([...word(1, 10), ...word(59, 0), 1, 0]).offset).toBe(2);
    expect(errorOf([...word(1, 10), ...word(63, 5), 65, 66]).offset).toBe(2);
    expect(errorOf([...good, ...END, 9, 9]).offset).toBe(6);
    expect(errorOf([...word(61, 2), ...word(1, 1), ...END]).message).toContain('SUB word before the first annotation');
  });
});
