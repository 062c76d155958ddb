import type { Rng } from '@dcl-enas/common';
import { tf } from '@dcl-enas/tf-backend';

/**
 * The named tensors of one network: trainable variables (He-initialised from a seeded Rng, so
 * that a candidate trains the same way every time) and batch-norm running statistics, which
 * the trainer updates outside the gradient tape.
 */
export class Weights {
  readonly trainable = new Map<string, tf.Variable>();
  readonly running = new Map<string, tf.Variable>();

  constructor(private readonly rng: Rng) {}

  /** He-uniform values for a ReLU layer with `fanIn` inputs. */
  he(name: string, shape: number[], fanIn: number): tf.Variable {
    const limit = Math.sqrt(6 / fanIn);
    const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < values.length; i++) values[i] = (this.rng.float() * 2 - 1) * limit;
    return this.add(this.trainable, name, tf.tensor(values, shape));
  }

  constant(name: string, size: number, value: number): tf.Variable {
    return this.add(this.trainable, name, tf.fill([size], value));
  }

  /** A non-trainable running statistic. */
  stat(name: string, size: number, value: number): tf.Variable {
    return this.add(this.running, name, tf.fill([size], value));
  }

  /** Number of trainable scalars (running statistics are not parameters). */
  get parameterCount(): number {
    let n = 0;
    for (const v of this.trainable.values()) n += v.size;
    return n;
  }

  /** Copies of every value, trainable and running, for restoring the best epoch. */
  snapshot(): Map<string, tf.Tensor> {
    const out = new Map<string, tf.Tensor>();
    for (const [name, v] of [...this.trainable, ...this.running]) out.set(name, tf.clone(v));
    return out;
  }

  restore(values: ReadonlyMap<string, tf.Tensor>): void {
    for (const [name, t] of values) {
      const v = this.trainable.get(name) ?? this.running.get(name);
      if (!v) throw new Error(`no weight named ${name}`);
      v.assign(t);
    }
  }

  dispose(): void {
    for (const v of [...this.trainable.values(), ...this.running.values()]) v.dispose();
    this.trainable.clear();
    this.running.clear();
  }

  private add(into: Map<string, tf.Variable>, name: string, init: tf.Tensor): tf.Variable {
    if (this.trainable.has(name) || this.running.has(name)) throw new Error(`weight ${name} defined twice`);
    const v = tf.variable(init, into === this.trainable, `ecg/${name}/${nextId++}`);
    init.dispose();
    into.set(name, v);
    return v;
  }
}

let nextId = 0;
