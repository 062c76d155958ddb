import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '@dcl-enas/common';
import { ecgSpace } from '@dcl-enas/spaces';
import { initTf, tf } from '@dcl-enas/tf-backend';
import { baselineFlatLength } from './baseline';
import { buildEcgNet } from './candidate';
import { liveEdges } from './cell-network';
import { inferencePass, trainingPass } from './layers';

const input = { windowLength: 256, rrFeatures: 7, classes: 5 };
const cell = (s: string) => ecgSpace.parse(s);

/*
 * Hand counts for the default macro network (8/16/32 channels, 3 stages, hidden 32):
 * stem conv 7*1*8 + BN 2*8 = 72; reductions 3*8*16 + 32 = 416 and 3*16*32 + 64 = 1600;
 * classifier (32 + 7)*32 + 32 = 1280 and 32*5 + 5 = 165. Fixed part: 3533.
 * A conv_k edge at C channels adds k*C*C + 2C; sep_conv_5 adds 5C + C*C + 2C.
 */
const FIXED = 3533;
const perStage = (f: (c: number) => number) => [8, 16, 32].reduce((sum, c) => sum + f(c), 0);

describe('ECG model builder', () => {
  beforeAll(async () => {
    await initTf();
  });

  const cases: [string, string, number][] = [
    ['all none', '|none~0|+|none~0|none~1|+|none~0|none~1|none~2|', FIXED],
    ['skip only', '|skip_connect~0|+|skip_connect~0|skip_connect~1|+|skip_connect~0|skip_connect~1|skip_connect~2|', FIXED],
    ['all conv_3', '|conv_3~0|+|conv_3~0|conv_3~1|+|conv_3~0|conv_3~1|conv_3~2|', FIXED + perStage((c) => 6 * (3 * c * c + 2 * c))],
    // conv_9 on 0->1 feeds nothing (1->2 and 1->3 are none): not built; the conv_5 on 0->3 is
    ['dead edge', '|conv_9~0|+|none~0|none~1|+|conv_5~0|none~1|none~2|', FIXED + perStage((c) => 5 * c * c + 2 * c)],
    ['mixed', '|sep_conv_5~0|+|max_pool_3~0|dil_conv_3~1|+|avg_pool_3~0|none~1|skip_connect~2|', FIXED + perStage((c) => 5 * c + c * c + 2 * c + 3 * c * c + 2 * c)],
  ];
  for (const [name, text, params] of cases) {
    it(`${name}: ${params} parameters, logits [B, 5] in training and inference`, () => {
      const net = buildEcgNet({ kind: 'cell', arch: cell(text) }, input, 0);
      try {
        expect(net.weights.parameterCount).toBe(params);
        const x = tf.randomNormal([3, 256, 1]) as tf.Tensor3D;
        const rr = tf.randomNormal([3, 7]) as tf.Tensor2D;
        const pass = trainingPass();
        expect(net.forward(x, rr, pass).shape).toEqual([3, 5]);
        expect(net.forward(x, rr, inferencePass()).shape).toEqual([3, 5]);
        tf.dispose([x, rr, ...pass.updates.map(([, v]) => v)]);
      } finally {
        net.weights.dispose();
      }
    });
  }

  it('finds the live edges: those on an input-to-output path of non-none ops', () => {
    expect(liveEdges(cell('|conv_9~0|+|none~0|none~1|+|conv_5~0|none~1|none~2|'))).toEqual([false, false, false, true, false, false]);
    expect(liveEdges(cell('|conv_3~0|+|none~0|conv_3~1|+|none~0|none~1|skip_connect~2|'))).toEqual([true, false, true, false, false, true]);
    expect(liveEdges(cell('|none~0|+|none~0|none~1|+|none~0|none~1|none~2|')).some(Boolean)).toBe(false);
  });

  it('an all-none cell passes only the RR features on: beats with equal RR inputs get equal logits', () => {
    const net = buildEcgNet({ kind: 'cell', arch: cell('|none~0|+|none~0|none~1|+|none~0|none~1|none~2|') }, input, 0);
    try {
      const x = tf.randomNormal([2, 256, 1]) as tf.Tensor3D;
      const rr = tf.tile(tf.randomNormal([1, 7]), [2, 1]) as tf.Tensor2D;
      const [a, b] = net.forward(x, rr, inferencePass()).arraySync() as number[][];
      a.forEach((v, i) => expect(v).toBeCloseTo(b[i], 5));
    } finally {
      net.weights.dispose();
    }
  });

  it('builds the Acharya et al. (2017) baseline with its hand-counted 19,415 parameters', () => {
    // conv 3*1*5+5, 4*5*10+10, 4*10*20+20; 256 -> 29 samples x 20 maps (+7 RR) -> 30 -> 20 -> 5
    expect(baselineFlatLength(256)).toBe(29);
    const net = buildEcgNet({ kind: 'baseline' }, input, 0);
    try {
      expect(net.weights.parameterCount).toBe(20 + 210 + 820 + (29 * 20 + 7) * 30 + 30 + 30 * 20 + 20 + 20 * 5 + 5);
      expect(net.forward(tf.zeros([4, 256, 1]) as tf.Tensor3D, tf.zeros([4, 7]) as tf.Tensor2D, inferencePass()).shape).toEqual([4, 5]);
    } finally {
      net.weights.dispose();
    }
  });

  it('draws the same initial weights from the same seed', () => {
    const arch = ecgSpace.sample(Rng.seeded(5));
    const a = buildEcgNet({ kind: 'cell', arch }, input, 3);
    const b = buildEcgNet({ kind: 'cell', arch }, input, 3);
    try {
      for (const [name, v] of a.weights.trainable) expect(Array.from(v.dataSync())).toEqual(Array.from(b.weights.trainable.get(name)!.dataSync()));
    } finally {
      a.weights.dispose();
      b.weights.dispose();
    }
  });
});
