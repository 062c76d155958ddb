import type { Rng } from '@dcl-enas/common';
import { cloneCell, padToMaxNodes, type Nb101Arch } from './cell';
import { nb101Hash } from './hash';
import { NB101_INNER_OPS, NB101_INPUT, NB101_MAX_NODES, NB101_OUTPUT } from './ops';
import { checkCell } from './validate';

/** Rejection loops end long before this; hitting it means a bug, not bad luck. */
const MAX_ATTEMPTS = 100_000;

function keyIfValid(arch: Nb101Arch): string | null {
  const check = checkCell(arch);
  return check.reason === null ? nb101Hash(check.pruned) : null;
}

/** A 7-vertex genotype: small cells are padded with prunable vertices, oversized ones pruned first. */
function genotype(arch: Nb101Arch): Nb101Arch {
  if (arch.ops.length <= NB101_MAX_NODES) return padToMaxNodes(arch);
  const check = checkCell(arch);
  if (check.reason !== null) throw new RangeError(`cannot use an invalid NB101 cell as a parent: ${check.reason}`);
  return padToMaxNodes(check.pruned);
}

/** NB101's random_spec: random upper-triangular matrix and ops on 7 vertices, rejected until valid. */
export function sampleCell(rng: Rng): Nb101Arch {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const matrix = Array.from({ length: NB101_MAX_NODES }, (_, i) =>
      Array.from({ length: NB101_MAX_NODES }, (_, j) => (j > i ? rng.below(2) : 0)),
    );
    const ops = Array.from({ length: NB101_MAX_NODES }, () => rng.pick(NB101_INNER_OPS) as string);
    ops[0] = NB101_INPUT;
    ops[NB101_MAX_NODES - 1] = NB101_OUTPUT;
    const cell = { matrix, ops };
    if (checkCell(cell).reason === null) return cell;
  }
  throw new Error('NB101 sampling found no valid cell');
}

/**
 * The regularized-evolution reference mutation (NB101 notebook, mutation rate 1): each edge flips
 * with probability 1/7 and each inner op is resampled with probability 1/5, repeated until the
 * child is valid and hashes differently from the parent.
 */
export function mutateCell(arch: Nb101Arch, rng: Rng): Nb101Arch {
  const parentKey = keyIfValid(arch);
  const base = genotype(arch);
  const n = NB101_MAX_NODES;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const child = cloneCell(base);
    for (let src = 0; src < n - 1; src++) {
      for (let dst = src + 1; dst < n; dst++) if (rng.float() < 1 / n) child.matrix[src][dst] = 1 - child.matrix[src][dst];
    }
    for (let v = 1; v < n - 1; v++) {
      if (rng.float() < 1 / (n - 2)) child.ops[v] = rng.pick(NB101_INNER_OPS.filter((op) => op !== child.ops[v]));
    }
    const childKey = keyIfValid(child);
    if (childKey !== null && childKey !== parentKey) return child;
  }
  throw new Error('NB101 mutation found no valid, different child');
}

/**
 * Uniform crossover on the 7-vertex genotypes: every edge slot and inner op comes from one parent
 * at random; retried until the child is valid. Parents so far apart that no valid child turns up
 * give a copy of the first parent.
 */
export function crossoverCells(a: Nb101Arch, b: Nb101Arch, rng: Rng, attempts = 200): Nb101Arch {
  const pa = genotype(a);
  const pb = genotype(b);
  const n = NB101_MAX_NODES;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const child = cloneCell(pa);
    for (let src = 0; src < n - 1; src++) {
      for (let dst = src + 1; dst < n; dst++) if (rng.float() < 0.5) child.matrix[src][dst] = pb.matrix[src][dst];
    }
    for (let v = 1; v < n - 1; v++) if (rng.float() < 0.5) child.ops[v] = pb.ops[v];
    if (checkCell(child).reason === null) return child;
  }
  if (checkCell(pa).reason === null) return pa;
  if (checkCell(pb).reason === null) return pb;
  throw new RangeError('cannot cross over two invalid NB101 cells');
}
