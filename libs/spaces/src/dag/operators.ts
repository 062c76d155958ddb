import type { Rng } from '@dcl-enas/common';
import { DAG_INPUT, DAG_OUTPUT, cloneCell, padCell, type DagArch } from './cell';
import { dagHash } from './hash';
import { checkCell, type DagRules } from './validate';

/** Rejection loops end long before this; hitting it means a bug, not bad luck. */
const MAX_ATTEMPTS = 100_000;

/** Draws of uniform crossover before it falls back to a copy of a parent. */
export const CROSSOVER_ATTEMPTS = 200;

function keyIfValid(arch: DagArch, rules: DagRules): string | null {
  const check = checkCell(arch, rules);
  return check.reason === null ? dagHash(check.pruned, rules.ops) : null;
}

/** A maxNodes-vertex genotype: small cells are padded with prunable vertices, oversized ones pruned first. */
function genotype(arch: DagArch, rules: DagRules): DagArch {
  if (arch.ops.length <= rules.maxNodes) return padCell(arch, rules.maxNodes, rules.ops[0]);
  const check = checkCell(arch, rules);
  if (check.reason !== null) throw new RangeError(`cannot use an invalid ${rules.label} cell as a parent: ${check.reason}`);
  return padCell(check.pruned, rules.maxNodes, rules.ops[0]);
}

/**
 * NB101's random_spec on maxNodes vertices: every upper-triangular edge present with probability
 * 1/2 and a random op on every vertex (drawn for input and output too, then overwritten, as NB101
 * does), rejected until valid. Uniform over the valid labelled matrices, not over keys.
 */
export function sampleCell(rng: Rng, rules: DagRules): DagArch {
  const n = rules.maxNodes;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const matrix = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (j > i ? rng.below(2) : 0)));
    const ops = Array.from({ length: n }, () => rng.pick(rules.ops));
    ops[0] = DAG_INPUT;
    ops[n - 1] = DAG_OUTPUT;
    const cell = { matrix, ops };
    if (checkCell(cell, rules).reason === null) return cell;
  }
  throw new Error(`${rules.label} sampling found no valid cell`);
}

/**
 * The NB101 regularized-evolution reference mutation (mutation rate 1) on maxNodes = n vertices:
 * each edge flips with probability 1/n and each inner op is resampled (to another op) with
 * probability 1/(n-2), repeated until the child is valid and its key differs from the parent's.
 * A space whose only cell is input -> output (maxEdges 1) has no such child: RangeError.
 */
export function mutateCell(arch: DagArch, rng: Rng, rules: DagRules): DagArch {
  const parentKey = keyIfValid(arch, rules);
  if (parentKey !== null && rules.maxEdges < 2) {
    throw new RangeError(`${rules.label} holds a single cell (input -> output, maxEdges ${rules.maxEdges}): no mutation can change it`);
  }
  const base = genotype(arch, rules);
  const n = rules.maxNodes;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const child = cloneCell(base);
    for (let src = 0; src < n - 1; src++) {
      for (let dst = src + 1; dst < n; dst++) if (rng.float() < 1 / n) child.matrix[src][dst] = 1 - child.matrix[src][dst];
    }
    for (let v = 1; v < n - 1; v++) {
      if (rng.float() < 1 / (n - 2)) {
        const others = rules.ops.filter((op) => op !== child.ops[v]);
        if (others.length > 0) child.ops[v] = rng.pick(others);
      }
    }
    const childKey = keyIfValid(child, rules);
    if (childKey !== null && childKey !== parentKey) return child;
  }
  throw new Error(`${rules.label} mutation found no valid, different child`);
}

/**
 * Uniform crossover on the maxNodes-vertex genotypes: every edge slot and inner op comes from one
 * parent at random; retried until the child is valid. Parents so far apart that no valid child
 * turns up give a copy of the first parent (of the second when the first is invalid).
 */
export function crossoverCells(a: DagArch, b: DagArch, rng: Rng, rules: DagRules, attempts = CROSSOVER_ATTEMPTS): DagArch {
  const pa = genotype(a, rules);
  const pb = genotype(b, rules);
  const n = rules.maxNodes;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const child = cloneCell(pa);
    for (let src = 0; src < n - 1; src++) {
      for (let dst = src + 1; dst < n; dst++) if (rng.float() < 0.5) child.matrix[src][dst] = pb.matrix[src][dst];
    }
    for (let v = 1; v < n - 1; v++) if (rng.float() < 0.5) child.ops[v] = pb.ops[v];
    if (checkCell(child, rules).reason === null) return child;
  }
  if (checkCell(pa, rules).reason === null) return pa;
  if (checkCell(pb, rules).reason === null) return pb;
  throw new RangeError(`cannot cross over two invalid ${rules.label} cells`);
}
