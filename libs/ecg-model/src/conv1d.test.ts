import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '@dcl-enas/common';
import { initTf, tf } from '@dcl-enas/tf-backend';
import { conv1d, depthwiseConv1d } from './conv1d';

/** Reference: tfjs's own conv ops and gradients, run on the pure-JS cpu backend that has them. */
function randomTensor(shape: number[], rng: Rng): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: n }, () => rng.normal()), shape);
}

function gradsOf(f: (x: tf.Tensor, w: tf.Tensor) => tf.Tensor, x: tf.Tensor, w: tf.Tensor, probe: tf.Tensor) {
  const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a, b), probe)));
  const [dx, dw] = g([x, w]);
  return { y: f(x, w).arraySync(), dx: dx.arraySync(), dw: dw.arraySync() };
}

function close(a: unknown, b: unknown): void {
  const fa = (a as number[]).flat(3) as number[];
  const fb = (b as number[]).flat(3) as number[];
  expect(fa.length).toBe(fb.length);
  fa.forEach((v, i) => expect(v).toBeCloseTo(fb[i], 3));
}

describe('1-D convolutions with wasm-friendly gradients', () => {
  beforeAll(async () => {
    await initTf({ only: 'cpu' });
  });

  const cases = [
    { k: 3, dilation: 1, padding: 'same' as const },
    { k: 5, dilation: 1, padding: 'same' as const },
    { k: 3, dilation: 2, padding: 'same' as const },
    { k: 4, dilation: 1, padding: 'valid' as const },
  ];
  for (const { k, dilation, padding } of cases) {
    it(`full conv k=${k} dilation=${dilation} ${padding}: values and both gradients match tf.conv1d`, () => {
      const rng = Rng.seeded(k * 10 + dilation);
      const x = randomTensor([3, 16, 4], rng);
      const w = randomTensor([k, 4, 6], rng);
      const outLen = padding === 'same' ? 16 : 16 - (k - 1) * dilation;
      const probe = randomTensor([3, outLen, 6], rng);
      const ours = gradsOf((a, b) => conv1d(a as tf.Tensor3D, b as tf.Tensor3D, dilation, padding), x, w, probe);
      // tfjs has no gradient for dilated convs: the reference spreads the taps out with zeros instead
      const spread = (b: tf.Tensor) => (dilation === 1 ? b : tf.concat(Array.from({ length: k }, (_, j) => [tf.slice(b, [j, 0, 0], [1, 4, 6]), ...(j < k - 1 ? [tf.zeros([dilation - 1, 4, 6])] : [])]).flat(), 0));
      const ref = gradsOf((a, b) => tf.conv1d(a as tf.Tensor3D, spread(b) as tf.Tensor3D, 1, padding), x, w, probe);
      close(ours.y, ref.y);
      close(ours.dx, ref.dx);
      close(ours.dw, ref.dw);
    });
  }

  it('depthwise conv k=5: values and gradients match tf.depthwiseConv2d', () => {
    const rng = Rng.seeded(7);
    const x = randomTensor([2, 12, 3], rng);
    const w = randomTensor([5, 3], rng);
    const probe = randomTensor([2, 12, 3], rng);
    const ours = gradsOf((a, b) => depthwiseConv1d(a as tf.Tensor3D, b as tf.Tensor2D), x, w, probe);
    const ref = gradsOf(
      (a, b) => tf.squeeze(tf.depthwiseConv2d(tf.expandDims(a, 1) as tf.Tensor4D, tf.reshape(b, [1, 5, 3, 1]) as tf.Tensor4D, 1, 'same'), [1]),
      x,
      w,
      probe,
    );
    close(ours.y, ref.y);
    close(ours.dx, ref.dx);
    close(ours.dw, ref.dw);
  });

  it('refuses a same-padded conv with an even effective kernel', () => {
    expect(() => conv1d(tf.zeros([1, 8, 1]) as tf.Tensor3D, tf.zeros([4, 1, 1]) as tf.Tensor3D)).toThrow(/odd effective kernel/);
  });
});
