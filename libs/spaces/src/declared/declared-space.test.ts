import { describe } from 'vitest';
import type { SpaceDefinition } from './definition';
import { declaredSpace } from './declared-space';
import { spaceProperties } from './space-properties';

/** The generic property suite over declared spaces of every type, as a spec would declare them. */
const defs: SpaceDefinition[] = [
  { type: 'cell', name: 'cell-3', nodes: 3, ops: ['none', 'skip', 'conv3', 'pool'] },
  { type: 'cell', name: 'cell-6', nodes: 6, ops: ['none', 'skip', 'conv1', 'conv3', 'pool'] },
  { type: 'layers', name: 'mobile', layers: 3, choices: { op: ['mbconv3', 'mbconv5', 'mbconv7'], width: [16, 32] } },
  {
    type: 'layers',
    name: 'ofa',
    stages: [
      { depth: [2, 4], choices: { op: ['mbconv3', 'mbconv5', 'skip'], expand: [3, 6] } },
      { depth: [1, 2], choices: { kernel: [3, 5, 7], width: [32, 64] } },
    ],
  },
  { type: 'dag', name: 'dag-5', maxNodes: 5, maxEdges: 6, ops: ['conv3', 'pool'] },
  { type: 'dag', name: 'dag-7', maxNodes: 7, maxEdges: 9, ops: ['conv3x3-bn-relu', 'conv1x1-bn-relu', 'maxpool3x3'] },
];

describe.each(defs.map((d) => [`${d.type} ${d.name}`, d] as const))('declared %s', (_name, def) => {
  const space = declaredSpace(def);
  spaceProperties(space, { runs: 100, enumerate: def.type === 'cell' ? 'archs' : 'keys' });
});
