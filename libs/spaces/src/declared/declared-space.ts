import type { Rng } from '@dcl-enas/common';
import type { SearchSpace } from '../space';
import { createCellSpace } from '../cell/cell-space';
import { createLayersSpace } from '../layers/layers-space';
import { createDagSpace } from '../dag';
import { checkSpaceDefinition, layersStages, type SpaceDefinition } from './definition';

/** A search space built from a user's definition. */
export interface DeclaredSpace extends SearchSpace<unknown> {
  readonly type: SpaceDefinition['type'];
  /** The checked definition it was built from. */
  readonly definition: SpaceDefinition;
  /** canonicalDefinition(definition): equal for definitions that differ only in field order; a cache key. */
  readonly canonical: string;
}

/**
 * The canonical text of a definition: JSON with the fields in a fixed order (type, name, then
 * the type's fields), a layers space always as stages (`layers: N` with choices is one stage of
 * depth [N, N]) with its choices in canonical order (op first, then by name). Two definitions
 * that build the same space with the same random draws give the same text; anything that
 * changes the space (a name, an op, the order of ops or values) changes it.
 */
export function canonicalDefinition(def: SpaceDefinition): string {
  switch (def.type) {
    case 'cell':
      return JSON.stringify({ type: def.type, name: def.name, nodes: def.nodes, ops: def.ops });
    case 'dag':
      return JSON.stringify({ type: def.type, name: def.name, maxNodes: def.maxNodes, maxEdges: def.maxEdges, ops: def.ops });
    case 'layers':
      return JSON.stringify({ type: def.type, name: def.name, stages: layersStages(def).map((s) => ({ depth: s.depth, choices: s.choices })) });
  }
}

/** The SearchSpace of a definition (cell: `none` and `skip` are recognised by those exact op names). */
function buildSpace(def: SpaceDefinition): SearchSpace<unknown> {
  switch (def.type) {
    case 'cell':
      return createCellSpace({
        name: def.name,
        label: def.name,
        nodes: def.nodes,
        ops: def.ops,
        symbols: def.ops,
        semantics: { none: def.ops.indexOf('none'), skip: def.ops.indexOf('skip') },
        distinctMutation: true,
      }) as SearchSpace<unknown>;
    case 'dag':
      return createDagSpace({ name: def.name, label: def.name, ops: def.ops, maxNodes: def.maxNodes, maxEdges: def.maxEdges }) as SearchSpace<unknown>;
    case 'layers':
      return createLayersSpace({ name: def.name, label: def.name, stages: layersStages(def) }) as SearchSpace<unknown>;
  }
}

/**
 * Builds a declared space. The definition is checked again (a UserError naming the field when
 * it is not valid), so a hand-made object gets the same checks as one from a spec.
 */
export function declaredSpace(def: SpaceDefinition): DeclaredSpace {
  const definition = checkSpaceDefinition(def);
  const space = buildSpace(definition);
  const enumerate = space.enumerate;
  const describe = space.describe;
  // Delegates method by method, so a space whose methods use `this` keeps working.
  return {
    type: definition.type,
    definition,
    canonical: canonicalDefinition(definition),
    name: space.name,
    maxNodes: space.maxNodes,
    nodeOps: space.nodeOps,
    // A getter: a dag space counts its size on first access.
    get size() {
      return space.size;
    },
    sample: (rng: Rng) => space.sample(rng),
    mutate: (arch: unknown, rng: Rng) => space.mutate(arch, rng),
    crossover: (a: unknown, b: unknown, rng: Rng) => space.crossover(a, b, rng),
    isValid: (arch: unknown) => space.isValid(arch),
    invalidReason: (arch: unknown) => space.invalidReason(arch),
    key: (arch: unknown) => space.key(arch),
    toGraph: (arch: unknown) => space.toGraph(arch),
    format: (arch: unknown) => space.format(arch),
    parse: (text: string) => space.parse(text),
    ...(enumerate ? { enumerate: () => enumerate.call(space) } : {}),
    ...(describe ? { describe: (arch: unknown) => describe.call(space, arch) } : {}),
  };
}

/**
 * Distinct keys over `space.enumerate()`, or null when the space has no enumerate or more than
 * `limit` architectures (its size, or what enumerate yields, is over the limit).
 */
export function distinctKeys(space: SearchSpace<unknown>, limit: number): number | null {
  if (!space.enumerate) return null;
  if (space.size !== undefined && space.size > limit) return null;
  const keys = new Set<string>();
  let n = 0;
  for (const arch of space.enumerate()) {
    if (++n > limit) return null;
    keys.add(space.key(arch));
  }
  return keys.size;
}
