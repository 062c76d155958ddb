import { UserError, type Rng } from '@dcl-enas/common';
import type { SearchSpace } from '@dcl-enas/spaces';

const NONE: ReadonlySet<string> = new Set();

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

  /** A random architecture not proposed before; throws when the space has none left. */
  sampleNew(rng: Rng, tries = 10_000): A {
    const arch = this.trySampleNew(rng, NONE, tries);
    if (arch === undefined) throw new UserError(`${this.space.name} has no architecture left that this search has not trained: use a smaller query budget`);
    return arch;
  }

  /**
   * A random architecture neither proposed before nor keyed in `except` (a batch being built),
   * or undefined when there is none. When `tries` samples all miss, which happens only when
   * the space is nearly exhausted, an enumerable space draws from what is left, so that a
   * search can train every distinct architecture.
   */
  trySampleNew(rng: Rng, except: ReadonlySet<string> = NONE, tries = 10_000): A | undefined {
    const fresh = (arch: A) => !this.has(arch) && !except.has(this.space.key(arch));
    for (let t = 0; t < tries; t++) {
      const arch = this.space.sample(rng);
      if (fresh(arch)) return arch;
    }
    if (!this.space.enumerate) return undefined;
    const left = new Map<string, A>();
    for (const arch of this.space.enumerate()) if (fresh(arch)) left.set(this.space.key(arch), arch);
    return left.size === 0 ? undefined : [...left.values()][rng.below(left.size)];
  }
}
