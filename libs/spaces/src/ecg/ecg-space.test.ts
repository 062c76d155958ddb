import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Rng } from '@dcl-enas/common';
import { ECG_OPS, ecgSpace } from './ecg-space';

describe('ECG-1D space', () => {
  it('has 10^6 cells with a string/index round trip', () => {
    expect(ecgSpace.size).toBe(1_000_000);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 999_999 }), (i) => {
        const arch = ecgSpace.fromIndex(i);
        expect(ecgSpace.indexOf(ecgSpace.parse(ecgSpace.format(arch)))).toBe(i);
      }),
    );
  });

  it('shares the functional key semantics: none and skip decide equivalence', () => {
    const k = (s: string) => ecgSpace.key(ecgSpace.parse(s));
    expect(k('|conv_9~0|+|none~0|none~1|+|none~0|skip_connect~1|none~2|')).toBe(k('|none~0|+|conv_9~0|none~1|+|none~0|none~1|skip_connect~2|'));
    expect(k('|conv_9~0|+|none~0|none~1|+|none~0|skip_connect~1|none~2|')).not.toBe(k('|conv_7~0|+|none~0|none~1|+|none~0|skip_connect~1|none~2|'));
    expect(() => ecgSpace.parse('|conv_11~0|+|none~0|none~1|+|none~0|none~1|none~2|')).toThrow(/unknown ECG-1D op "conv_11"/);
  });

  it('mutates and crosses over to valid cells and encodes all ops as node labels', () => {
    const rng = Rng.seeded(3);
    for (let i = 0; i < 200; i++) {
      const a = ecgSpace.sample(rng);
      const m = ecgSpace.mutate(a, rng);
      expect(ecgSpace.isValid(m) && ecgSpace.isValid(ecgSpace.crossover(a, m, rng))).toBe(true);
    }
    expect(ecgSpace.nodeOps).toEqual(['input', ...ECG_OPS, 'output']);
    expect(Array.from(ecgSpace.toGraph([9, 8, 7, 6, 5, 4]).ops)).toEqual([0, 10, 9, 8, 7, 6, 5, 11]);
  });
});
