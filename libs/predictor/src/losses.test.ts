import { beforeAll, describe, expect, it } from 'vitest';
import { initTf, tf } from '@dcl-enas/tf-backend';
import { listwiseContrast, meanSquaredError, ntXent, pairwiseLogistic } from './losses';

beforeAll(async () => {
  await initTf();
});

const value = (t: tf.Scalar): number => {
  const v = t.dataSync()[0];
  t.dispose();
  return v;
};

describe('NT-Xent', () => {
  it('matches the hand-worked value for two orthogonal pairs', () => {
    // every anchor: positive cosine 1, two negatives with cosine 0 -> log(e + 2) - 1
    const a = tf.tensor2d([[1, 0], [0, 1]]);
    const b = tf.tensor2d([[2, 0], [0, 3]]); // scale must not matter (cosine)
    expect(value(ntXent(a, b, 1))).toBeCloseTo(Math.log(Math.E + 2) - 1, 5);
  });

  it('divides similarities by the temperature', () => {
    const a = tf.tensor2d([[1, 0], [0, 1]]);
    const b = tf.tensor2d([[1, 0], [0, 1]]);
    // logits: positive 1/0.5 = 2, negatives 0 -> log(e^2 + 2) - 2
    expect(value(ntXent(a, b, 0.5))).toBeCloseTo(Math.log(Math.exp(2) + 2) - 2, 5);
  });

  it('is lower when views agree than when they are swapped', () => {
    const a = tf.tensor2d([[1, 0.1], [0.1, 1]]);
    const agree = value(ntXent(a, tf.tensor2d([[1, 0], [0, 1]]), 0.2));
    const swapped = value(ntXent(a, tf.tensor2d([[0, 1], [1, 0]]), 0.2));
    expect(agree).toBeLessThan(swapped);
  });
});

describe('list-wise relative-performance contrast', () => {
  it('is the softmax of the better architecture against the worse ones', () => {
    // targets 1 < 2: only anchor 1 has someone worse; -log(3 / (1 + 3)) = log(4/3)
    expect(value(listwiseContrast(tf.tensor1d([0, Math.log(3)]), [1, 2], 1))).toBeCloseTo(Math.log(4 / 3), 5);
    // equal scores: log 2
    expect(value(listwiseContrast(tf.tensor1d([0, 0]), [1, 2], 1))).toBeCloseTo(Math.log(2), 5);
  });

  it('averages over anchors, each against only those worse than it', () => {
    // targets 3 > 2 > 1 with scores 0, 0, 0: anchor "3" vs 3 items, anchor "2" vs 2 items
    const expected = (Math.log(3) + Math.log(2)) / 2;
    expect(value(listwiseContrast(tf.tensor1d([0, 0, 0]), [3, 2, 1], 1))).toBeCloseTo(expected, 5);
  });

  it('applies the temperature and ignores ties', () => {
    // scores 0 and 1 at t = 0.5 -> logits 0, 2; the better (target 5) has logit 2
    expect(value(listwiseContrast(tf.tensor1d([0, 1]), [4, 5], 0.5))).toBeCloseTo(Math.log(1 + Math.exp(2)) - 2, 5);
    // tied targets: nobody is worse than anybody
    expect(value(listwiseContrast(tf.tensor1d([0, 1]), [4, 4], 1))).toBe(0);
  });
});

describe('pairwise logistic contrast', () => {
  it('is log(1 + exp(-(s_better - s_worse) / t)) averaged over pairs', () => {
    expect(value(pairwiseLogistic(tf.tensor1d([0, Math.log(3)]), [1, 2], 1))).toBeCloseTo(Math.log(4 / 3), 5);
    // three items, all scores 0: each of 3 pairs costs log 2
    expect(value(pairwiseLogistic(tf.tensor1d([0, 0, 0]), [1, 2, 3], 1))).toBeCloseTo(Math.log(2), 5);
    // wrong order costs more
    const right = value(pairwiseLogistic(tf.tensor1d([0, 1]), [1, 2], 1));
    const wrong = value(pairwiseLogistic(tf.tensor1d([1, 0]), [1, 2], 1));
    expect(right).toBeCloseTo(Math.log(1 + Math.exp(-1)), 5);
    expect(wrong).toBeCloseTo(Math.log(1 + Math.exp(1)), 5);
  });
});

describe('mean squared error', () => {
  it('is the mean of squared differences', () => {
    expect(value(meanSquaredError(tf.tensor1d([1, 2, 3]), [1, 0, 6]))).toBeCloseTo((0 + 4 + 9) / 3, 5);
  });
});

describe('gradients', () => {
  it('list-wise gradient pushes the better architecture up and the worse down', () => {
    const s = tf.tensor1d([0, 0]);
    const g = tf.grad((x: tf.Tensor) => listwiseContrast(x as tf.Tensor1D, [1, 2], 1))(s).dataSync();
    // d/ds of log(e^s0 + e^s1) - s1 at 0: s0 -> 1/2, s1 -> 1/2 - 1
    expect(g[0]).toBeCloseTo(0.5, 5);
    expect(g[1]).toBeCloseTo(-0.5, 5);
  });
});
