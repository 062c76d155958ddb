import { UserError, type Rng } from '@dcl-enas/common';
import { checkArchTextSize, quoteInput, type ArchGraph, type SearchSpace } from '../space';

/** A value a layer choice can take: a string (`mbconv3`) or a number (`32`). */
export type LayerValue = string | number;

/** The value of the `op` choice that makes a layer the identity: its other choices do not matter. */
export const LAYER_SKIP = 'skip';
/** The name of the choice whose value `skip` removes the layer. */
export const LAYER_OP_CHOICE = 'op';
/** Node label of the node that begins every stage after the first (spaces with more than one stage). */
export const LAYER_STAGE_LABEL = 'stage';

export interface LayersStageDefinition {
  /** Fewest and most layers of the stage (1 <= min <= max); a stage of depth d uses its first d layers. */
  readonly depth: readonly [number, number];
  /** Choice name -> the values every layer of the stage chooses from. */
  readonly choices: Readonly<Record<string, readonly LayerValue[]>>;
}

export interface LayersSpaceDefinition {
  readonly name: string;
  /** Human name used in error messages. */
  readonly label: string;
  /** The stages in order; `layers: N` with `choices` is one stage of depth [N, N]. */
  readonly stages: readonly LayersStageDefinition[];
}

/** One choice of a stage, as the space uses it. */
export interface LayerChoice {
  readonly name: string;
  readonly values: readonly LayerValue[];
  /** Each value as it appears in the text form and the key (`String(value)`). */
  readonly texts: readonly string[];
}

/** A stage as the space uses it: choices in canonical order (`op` first, then by name). */
export interface LayersStage {
  readonly minDepth: number;
  readonly maxDepth: number;
  readonly choices: readonly LayerChoice[];
  /** Index of `skip` among the values of the `op` choice (choice 0), or -1 when layers cannot be skipped. */
  readonly skip: number;
  /** Distinct layers (distinct keys) one layer of the stage can be: skip counts once. */
  readonly layerOptions: number;
}

/**
 * An architecture: stage -> its layers (as many as the stage's depth) -> for each choice of
 * the stage (in LayersStage.choices order) the index of its value. A skip layer's other
 * choices are ignored; the space's own operations store them as 0.
 */
export type LayersArch = readonly (readonly (readonly number[])[])[];

export interface LayersSpace extends SearchSpace<LayersArch> {
  readonly stages: readonly LayersStage[];
}

/** Choices in canonical order: `op` first, then by name (so a definition's field order does not matter). */
export function canonicalChoiceOrder(names: readonly string[]): string[] {
  return [...names].sort((a, b) => (a === b ? 0 : a === LAYER_OP_CHOICE ? -1 : b === LAYER_OP_CHOICE ? 1 : a < b ? -1 : 1));
}

function resolveStage(stage: LayersStageDefinition, where: string): LayersStage {
  const [minDepth, maxDepth] = stage.depth;
  if (!Number.isInteger(minDepth) || !Number.isInteger(maxDepth) || minDepth < 1 || maxDepth < minDepth) throw new RangeError(`${where}: depth must be [min, max] with 1 <= min <= max, got [${minDepth}, ${maxDepth}]`);
  const names = canonicalChoiceOrder(Object.keys(stage.choices));
  if (names.length === 0) throw new RangeError(`${where}: a stage needs at least one choice`);
  const choices = names.map((name): LayerChoice => {
    const values = stage.choices[name];
    if (values.length === 0) throw new RangeError(`${where}: choice ${name} has no values`);
    const texts = values.map(String);
    if (new Set(texts).size !== texts.length) throw new RangeError(`${where}: choice ${name} lists a value twice`);
    return { name, values, texts };
  });
  const skip = choices[0].name === LAYER_OP_CHOICE ? choices[0].texts.indexOf(LAYER_SKIP) : -1;
  const combos = choices.reduce((n, c) => n * c.values.length, 1);
  const layerOptions = skip < 0 ? combos : (combos / choices[0].values.length) * (choices[0].values.length - 1) + 1;
  return { minDepth, maxDepth, choices, skip, layerOptions };
}

/**
 * A macro search space of the MobileNet / once-for-all kind: a chain of stages, each of a
 * variable depth, every layer picking one value per choice (op, width, expand, ...). A layer
 * whose `op` is `skip` is the identity and ignores its other choices; layers past a stage's
 * depth are absent.
 *
 * key: the per-layer choices as text, `op=mbconv3,width=32|skip|...`, stages joined by `||`
 * (skip layers as `skip`, absent layers left out). format: the same with spaces around the
 * separators; parse accepts it (and `op=skip` for `skip`).
 *
 * toGraph: a chain input -> layer nodes -> output. A present layer is one node per choice,
 * labelled `choice=value` (a one-hot per choice for the encoder); a skip layer is a single
 * `op=skip` node (so where the skip sits stays visible); an absent layer has no node. With more
 * than one stage, a node labelled `stage` begins every stage after the first.
 */
export function createLayersSpace(def: LayersSpaceDefinition): LayersSpace {
  if (def.stages.length === 0) throw new RangeError(`${def.label}: a layers space needs at least one stage`);
  const multi = def.stages.length > 1;
  const stages = def.stages.map((s, i) => resolveStage(s, multi ? `${def.label} stage ${i + 1}` : def.label));
  const where = (s: number, l?: number) => [multi ? `stage ${s + 1}` : '', l === undefined ? '' : `layer ${l + 1}`].filter(Boolean).join(' ');

  let size = 1;
  for (const st of stages) {
    let stageSize = 0;
    for (let d = st.minDepth; d <= st.maxDepth; d++) stageSize += st.layerOptions ** d;
    size *= stageSize;
  }
  if (size < 2) throw new RangeError(`${def.label}: the space has only one architecture`);

  const labels: string[] = [];
  for (const st of stages) for (const c of st.choices) for (const t of c.texts) if (!labels.includes(`${c.name}=${t}`)) labels.push(`${c.name}=${t}`);
  const nodeOps = ['input', ...labels, ...(multi ? [LAYER_STAGE_LABEL] : []), 'output'];
  const maxNodes = 2 + stages.reduce((n, st) => n + st.maxDepth * st.choices.length, 0) + (stages.length - 1);
  if (nodeOps.length > 127) throw new RangeError(`${def.label}: ${nodeOps.length} node labels, at most 127 fit a graph`);
  const labelIndex = new Map(nodeOps.map((l, i) => [l, i]));
  const stageLabel = nodeOps.indexOf(LAYER_STAGE_LABEL);

  const isSkip = (st: LayersStage, layer: readonly number[]) => st.skip >= 0 && layer[0] === st.skip;
  const normalize = (st: LayersStage, layer: readonly number[]): number[] => (isSkip(st, layer) ? layer.map((v, c) => (c === 0 ? v : 0)) : layer.slice());

  const layerText = (st: LayersStage, layer: readonly number[]): string =>
    isSkip(st, layer) ? LAYER_SKIP : st.choices.map((c, i) => `${c.name}=${c.texts[layer[i]]}`).join(',');
  const text = (arch: LayersArch, layerSep: string, stageSep: string): string => arch.map((layers, s) => layers.map((layer) => layerText(stages[s], layer)).join(layerSep)).join(stageSep);

  const invalidReason = (arch: LayersArch): string | null => {
    if (!Array.isArray(arch) || arch.length !== stages.length) return `a ${def.label} architecture has ${stages.length} stage${multi ? 's' : ''} (an array of ${stages.length} array${multi ? 's' : ''} of layers)`;
    for (let s = 0; s < stages.length; s++) {
      const st = stages[s];
      const layers = arch[s];
      if (!Array.isArray(layers) || layers.length < st.minDepth || layers.length > st.maxDepth) {
        const got = Array.isArray(layers) ? `${layers.length} layers` : 'no layer list';
        return `${where(s) || def.label} has ${got}: expected ${st.minDepth === st.maxDepth ? st.minDepth : `${st.minDepth}..${st.maxDepth}`}`;
      }
      for (let l = 0; l < layers.length; l++) {
        const layer = layers[l];
        if (!Array.isArray(layer) || layer.length !== st.choices.length) return `${where(s, l)} needs a value index for each of its ${st.choices.length} choices`;
        for (let c = 0; c < st.choices.length; c++) {
          const v = layer[c];
          if (!Number.isInteger(v) || v < 0 || v >= st.choices[c].values.length) return `${where(s, l)} choice ${st.choices[c].name}: value index ${v} is not in 0..${st.choices[c].values.length - 1}`;
        }
      }
    }
    return null;
  };

  const parseLayer = (st: LayersStage, raw: string, s: number, l: number, fail: (why: string) => never): number[] => {
    const body = raw.trim();
    const at = where(s, l);
    if (body === '') fail(`${at} is empty`);
    if (body === LAYER_SKIP) {
      if (st.skip < 0) fail(`${at}: skip is not a value of op${st.choices[0].name === LAYER_OP_CHOICE ? '' : ' (there is no op choice)'}`);
      return st.choices.map((_, c) => (c === 0 ? st.skip : 0));
    }
    const layer = new Array<number>(st.choices.length).fill(-1);
    for (const part of body.split(',')) {
      const eq = part.indexOf('=');
      if (eq < 0) fail(`${at}: expected name=value, got ${quoteInput(part.trim(), 40)}`);
      const name = part.slice(0, eq).trim();
      const value = part.slice(eq + 1).trim();
      const c = st.choices.findIndex((ch) => ch.name === name);
      if (c < 0) fail(`${at}: unknown choice ${quoteInput(name, 40)}: use ${st.choices.map((ch) => ch.name).join(', ')}`);
      if (layer[c] >= 0) fail(`${at}: choice ${name} given twice`);
      const v = st.choices[c].texts.indexOf(value);
      if (v < 0) fail(`${at}: ${name} ${quoteInput(value, 40)} is not one of ${st.choices[c].texts.join(', ')}`);
      layer[c] = v;
    }
    if (isSkip(st, layer)) return normalize(st, layer.map((v) => Math.max(v, 0)));
    const missing = st.choices.filter((_, c) => layer[c] < 0).map((ch) => ch.name);
    if (missing.length > 0) fail(`${at}: missing ${missing.join(', ')}`);
    return layer;
  };

  const parse = (textIn: string): LayersArch => {
    checkArchTextSize(textIn, def.label);
    const fail = (why: string): never => {
      throw new UserError(`malformed ${def.label} architecture ${quoteInput(textIn)}: ${why}; expected layers like ${quoteInput(exampleText, 80)}`);
    };
    if (textIn.trim() === '') fail('empty text');
    const parts = textIn.trim().split('||');
    if (parts.length !== stages.length) fail(`${parts.length} stage${parts.length === 1 ? '' : 's'} (separated by ||), expected ${stages.length}`);
    return parts.map((part, s) => {
      const st = stages[s];
      const raws = part.split('|');
      if (raws.length < st.minDepth || raws.length > st.maxDepth) fail(`${where(s) || 'the architecture'} has ${raws.length} layer${raws.length === 1 ? '' : 's'}, expected ${st.minDepth === st.maxDepth ? st.minDepth : `${st.minDepth}..${st.maxDepth}`}`);
      return raws.map((raw, l) => parseLayer(st, raw, s, l, fail));
    });
  };

  const toGraph = (arch: LayersArch): ArchGraph => {
    const n = maxNodes;
    const adjacency = new Uint8Array(n * n);
    const ops = new Int8Array(n).fill(-1);
    let count = 0;
    const add = (label: number) => {
      if (count > 0) adjacency[(count - 1) * n + count] = 1;
      ops[count++] = label;
    };
    add(0);
    arch.forEach((layers, s) => {
      const st = stages[s];
      if (s > 0) add(stageLabel);
      for (const layer of layers) {
        if (isSkip(st, layer)) add(labelIndex.get(`${LAYER_OP_CHOICE}=${LAYER_SKIP}`)!);
        else st.choices.forEach((c, i) => add(labelIndex.get(`${c.name}=${c.texts[layer[i]]}`)!));
      }
    });
    add(nodeOps.length - 1);
    return { nodeCount: count, adjacency, ops };
  };

  const sampleLayer = (st: LayersStage, rng: Rng): number[] => normalize(st, st.choices.map((c) => rng.below(c.values.length)));

  const sample = (rng: Rng): LayersArch =>
    stages.map((st) => {
      const depth = st.minDepth + rng.below(st.maxDepth - st.minDepth + 1);
      return Array.from({ length: depth }, () => sampleLayer(st, rng));
    });

  /** A different layer: a skip layer becomes a sampled non-skip one; otherwise one choice with more than one value changes. */
  const layerMutable = (st: LayersStage, layer: readonly number[]) => (isSkip(st, layer) ? st.choices[0].values.length > 1 : st.choices.some((c) => c.values.length > 1));
  const mutateLayer = (st: LayersStage, layer: readonly number[], rng: Rng): number[] => {
    if (isSkip(st, layer)) {
      const op = (st.skip + 1 + rng.below(st.choices[0].values.length - 1)) % st.choices[0].values.length;
      return st.choices.map((c, i) => (i === 0 ? op : rng.below(c.values.length)));
    }
    const mutable = st.choices.flatMap((c, i) => (c.values.length > 1 ? [i] : []));
    const c = mutable[rng.below(mutable.length)];
    const count = st.choices[c].values.length;
    const child = layer.slice();
    child[c] = (layer[c] + 1 + rng.below(count - 1)) % count;
    return normalize(st, child);
  };

  const mutate = (arch: LayersArch, rng: Rng): LayersArch => {
    // Every place a change alters the key: each layer that can change, each stage whose depth can.
    const sites: (readonly [number, number])[] = [];
    arch.forEach((layers, s) => {
      layers.forEach((layer, l) => {
        if (layerMutable(stages[s], layer)) sites.push([s, l]);
      });
      if (stages[s].maxDepth > stages[s].minDepth) sites.push([s, -1]);
    });
    const child = arch.map((layers, s) => layers.map((layer) => normalize(stages[s], layer)));
    const [s, l] = sites[rng.below(sites.length)];
    const st = stages[s];
    if (l >= 0) child[s][l] = mutateLayer(st, arch[s][l], rng);
    else {
      const range = st.maxDepth - st.minDepth + 1;
      const depth = st.minDepth + ((child[s].length - st.minDepth + 1 + rng.below(range - 1)) % range);
      child[s] = depth < child[s].length ? child[s].slice(0, depth) : [...child[s], ...Array.from({ length: depth - child[s].length }, () => sampleLayer(st, rng))];
    }
    return child;
  };

  /** Per stage the depth of one parent; per layer the layer of either parent that has it. */
  const crossover = (a: LayersArch, b: LayersArch, rng: Rng): LayersArch =>
    stages.map((st, s) => {
      const depth = rng.below(2) === 0 ? a[s].length : b[s].length;
      return Array.from({ length: depth }, (_, l) => {
        const layer = l < a[s].length && l < b[s].length ? (rng.below(2) === 0 ? a[s][l] : b[s][l]) : l < a[s].length ? a[s][l] : b[s][l];
        return normalize(st, layer);
      });
    });

  /** Distinct layers of a stage in a fixed order: value indices lexicographic, one skip layer. */
  const options = stages.map((st) => {
    const out: number[][] = [];
    const layer = new Array<number>(st.choices.length).fill(0);
    for (;;) {
      if (!isSkip(st, layer) || layer.every((v, c) => c === 0 || v === 0)) out.push(layer.slice());
      let c = layer.length - 1;
      while (c >= 0 && layer[c] === st.choices[c].values.length - 1) layer[c--] = 0;
      if (c < 0) return out;
      layer[c]++;
    }
  });

  function* stageLayers(s: number): Generator<number[][]> {
    const st = stages[s];
    const opts = options[s];
    for (let d = st.minDepth; d <= st.maxDepth; d++) {
      const digits = new Array<number>(d).fill(0);
      for (;;) {
        yield digits.map((o) => opts[o].slice());
        let i = d - 1;
        while (i >= 0 && digits[i] === opts.length - 1) digits[i--] = 0;
        if (i < 0) break;
        digits[i]++;
      }
    }
  }

  function* archs(s: number, prefix: number[][][]): Generator<LayersArch> {
    if (s === stages.length) {
      yield prefix;
      return;
    }
    for (const layers of stageLayers(s)) yield* archs(s + 1, [...prefix, layers]);
  }

  // For messages: every stage at its least depth, every layer its first non-skip option.
  const exampleText = text(
    stages.map((st, s) => Array.from({ length: st.minDepth }, () => options[s].find((o) => !isSkip(st, o)) ?? options[s][0])),
    ' | ',
    ' || ',
  );

  return {
    name: def.name,
    stages,
    maxNodes,
    nodeOps,
    size,
    sample,
    mutate,
    crossover,
    isValid: (arch) => invalidReason(arch) === null,
    invalidReason,
    key: (arch) => text(arch, '|', '||'),
    toGraph,
    format: (arch) => text(arch, ' | ', ' || '),
    parse,
    /**
     * `{choices}`: one object per present layer, stages in order, choice name -> its value as
     * declared (numbers stay numbers); a skip layer is `{op: 'skip'}` (trial protocol).
     */
    describe: (arch) => ({
      choices: arch.flatMap((layers, s) =>
        layers.map((layer) => (isSkip(stages[s], layer) ? { [LAYER_OP_CHOICE]: LAYER_SKIP } : Object.fromEntries(stages[s].choices.map((c, i) => [c.name, c.values[layer[i]]])))),
      ),
    }),
    /** One architecture per distinct key, stage by stage (depth ascending, layers lexicographic); lazily, for any size. */
    enumerate: () => archs(0, []),
  };
}
