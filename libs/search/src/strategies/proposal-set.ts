import type { Rng } from '@dcl-enas/common';
import type { SearchSpace } from '@dcl-enas/spaces';

/** Keys a strategy has already proposed, so no architecture is ever trained twice. */
export class ProposalSet<A> {
  private readonly keys = new Map<string, number>();

  constructor(private readonly space: SearchSpace<A>) {}

  has(arch: A): boolean {
    return this.keys.has(this.space.key(arch));
  }

  add(arch: A): void {
    const key = this.space.key(arch);
    if (!this.keys.has(key)) this.keys.set(key, this.keys.size);
  }

  /** Position of `arch` in proposal order (-1 if never proposed). */
  order(arch: A): number {
    return this.keys.get(this.space.key(arch)) ?? -1;
  }

  get size(): number {
    return this.keys.size;
  }

  /**
   * A random architecture not proposed before. Gives up after `tries` samples, which only
   * happens when the space is (nearly) exhausted.
   */
  sampleNew(rng: Rng, tries = 10_000): A {
    for (let t = 0; t < tries; t++) {
      const arch = this.space.sample(rng);
      if (!this.has(arch)) return arch;
    }
    throw new Error(`no new architecture found in ${tries} samples of ${this.space.name}: the space is exhausted`);
  }
}
