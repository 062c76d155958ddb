import type { Rng } from '@dcl-enas/common';
import { tf } from '@dcl-enas/tf-backend';

/** Named trainable weights, initialised from a seeded Rng so that runs repeat exactly. */
export class Params {
  readonly vars = new Map<string, tf.Variable>();

  /** Glorot-uniform matrix [fanIn, fanOut]. */
  matrix(name: string, fanIn: number, fanOut: number, rng: Rng): tf.Variable {
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    const values = new Float32Array(fanIn * fanOut);
    for (let i = 0; i < values.length; i++) values[i] = (rng.float() * 2 - 1) * limit;
    return this.add(name, tf.tensor2d(values, [fanIn, fanOut]));
  }

  zeros(name: string, size: number): tf.Variable {
    return this.add(name, tf.zeros([size]));
  }

  get(name: string): tf.Variable {
    const v = this.vars.get(name);
    if (!v) throw new Error(`no parameter named ${name}`);
    return v;
  }

  /** Variables whose name starts with one of `prefixes`. */
  select(...prefixes: string[]): tf.Variable[] {
    return [...this.vars.entries()].filter(([name]) => prefixes.some((p) => name.startsWith(p))).map(([, v]) => v);
  }

  /** Copies of the current values (for restoring the best epoch, or transfer between models). */
  snapshot(prefix = ''): Map<string, tf.Tensor> {
    const out = new Map<string, tf.Tensor>();
    for (const [name, v] of this.vars) if (name.startsWith(prefix)) out.set(name, tf.clone(v));
    return out;
  }

  /** Assigns every value in `values` to the variable of the same name; they must all exist. */
  restore(values: ReadonlyMap<string, tf.Tensor>): void {
    for (const [name, t] of values) {
      const v = this.get(name);
      if (v.shape.join('x') !== t.shape.join('x')) throw new Error(`parameter ${name}: shape ${t.shape} does not fit ${v.shape}`);
      v.assign(t);
    }
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
  }

  private add(name: string, init: tf.Tensor): tf.Variable {
    if (this.vars.has(name)) throw new Error(`parameter ${name} defined twice`);
    const v = tf.variable(init, true, `${name}_${nextId++}`);
    init.dispose();
    this.vars.set(name, v);
    return v;
  }
}

// tfjs variable names are global to the engine; suffix them so several models can coexist
let nextId = 0;

export const disposeAll = (values: ReadonlyMap<string, tf.Tensor>): void => tf.dispose([...values.values()]);
