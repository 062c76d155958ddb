import { describe, expect, it } from 'vitest';
import { aamiClassOf, aamiLabelOf, AAMI_CLASSES } from './aami';

describe('AAMI mapping', () => {
  it('groups the MIT-BIH beat symbols as the data README lists them', () => {
    const groups: Record<string, string> = { N: 'NLRej', S: 'AaJS', V: 'VE', F: 'F', Q: '/fQ' };
    for (const [cls, symbols] of Object.entries(groups)) {
      for (const s of symbols) {
        expect(aamiClassOf(s), s).toBe(cls);
        expect(AAMI_CLASSES[aamiLabelOf(s)]).toBe(cls);
      }
    }
  });

  it('leaves non-beat annotations out', () => {
    for (const s of ['+', '~', '|', '!', '"', 'x', '[', ']', 'p', 't']) {
      expect(aamiClassOf(s), s).toBeNull();
      expect(aamiLabelOf(s)).toBe(-1);
    }
  });
});
