import { describe, expect, it } from 'vitest';
import { Rng } from './rng';
import { badFieldMessage, decimalAt, describeRule, NON_NEGATIVE, NON_NEGATIVE_INTEGER, parseStrictNumber, PERCENT } from './strict-number';

describe('parseStrictNumber', () => {
  it('reads plain decimals', () => {
    for (const [text, value] of [['0', 0], ['63.364', 63.364], ['.5', 0.5], ['5.', 5], ['1e1', 10], ['+2', 2], ['100', 100], ['9.5E-1', 0.95]] as const) {
      expect(parseStrictNumber(text, PERCENT), text).toBe(value);
    }
  });

  it('refuses what Number() would quietly accept, non-finite values and values out of range', () => {
    for (const text of ['', ' ', ' 5', '5 ', '\t5', '5\r', 'abc', 'NaN', 'Infinity', '-Infinity', '1e400', '0x10', '0b1', '0o7', '1,5', '1_0', '--1', '.', 'e5', '150', '-1', '100.0001']) {
      expect(parseStrictNumber(text, PERCENT), JSON.stringify(text)).toBeNaN();
    }
    expect(parseStrictNumber('-0.5', NON_NEGATIVE)).toBeNaN();
    expect(parseStrictNumber('1e300', NON_NEGATIVE)).toBe(1e300);
    expect(parseStrictNumber('2.5', NON_NEGATIVE_INTEGER)).toBeNaN();
    expect(parseStrictNumber('12', NON_NEGATIVE_INTEGER)).toBe(12);
  });

  it('says what a field must be in one line', () => {
    expect(describeRule(PERCENT)).toBe('a number in [0, 100]');
    expect(describeRule(NON_NEGATIVE)).toBe('a number >= 0');
    expect(describeRule({ min: 0, max: 15624, integer: true })).toBe('an integer in [0, 15624]');
    expect(badFieldMessage('f.csv line 8', 'column x', 'abc', PERCENT)).toBe('f.csv line 8: column x is "abc", not a number in [0, 100]');
    expect(badFieldMessage('f.csv line 8', 'column x', '', PERCENT)).toBe('f.csv line 8: column x is empty, not a number in [0, 100]');
    expect(badFieldMessage('w', 'column x', '1\n2', PERCENT)).not.toContain('\n');
  });
});

describe('decimalAt', () => {
  const ANY = { min: -Number.MAX_VALUE, max: Number.MAX_VALUE };

  it('gives exactly what Number() gives, for decimals of up to 17 digits with or without a point', () => {
    const rng = Rng.seeded(13);
    for (let n = 0; n < 50_000; n++) {
      const digits = Array.from({ length: 1 + rng.below(17) }, () => String(rng.below(10))).join('');
      const point = rng.below(digits.length + 1);
      const text = `${rng.below(4) === 0 ? '-' : ''}${digits.slice(0, point)}${point < digits.length || rng.below(2) ? '.' : ''}${digits.slice(point)}`;
      const padded = `x,${text},y`;
      expect(decimalAt(padded, 2, 2 + text.length, ANY), text).toBe(Number(text));
    }
  });

  it('refuses, within a line, what parseStrictNumber refuses', () => {
    for (const text of ['', 'abc', 'NaN', '1e400', '150', '-1', ' 5', '5\r', '0x10', '.', '-']) {
      expect(decimalAt(`a,${text},b`, 2, 2 + text.length, PERCENT), JSON.stringify(text)).toBeNaN();
    }
    expect(decimalAt('a,1e1,b', 2, 5, PERCENT)).toBe(10);
    expect(decimalAt('a,+5,b', 2, 4, PERCENT)).toBe(5);
  });
});
