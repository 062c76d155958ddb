import { describe } from 'vitest';
import { spaceProperties } from '../declared/space-properties';
import { nb101Space } from '../nb101/space';
import { createDagSpace } from './index';

/** The generic property suite of declared spaces (declared/space-properties.ts), over dag spaces. */
const small = createDagSpace({ name: 'small-dag', label: 'small-dag', ops: ['conv3', 'conv1', 'pool'], maxNodes: 5, maxEdges: 7 });
const sparse = createDagSpace({ name: 'sparse-dag', label: 'sparse-dag', ops: ['a', 'b', 'c', 'd'], maxNodes: 12, maxEdges: 4 });
const wide = createDagSpace({ name: 'wide-dag', label: 'wide-dag', ops: Array.from({ length: 16 }, (_, i) => `op-${i}`), maxNodes: 12, maxEdges: 30 });
const single = '{"matrix":[[0,1],[0,0]],"ops":["input","output"]}';

describe('dag space small-dag (5 vertices, enumerable)', () =>
  spaceProperties(small, {
    runs: 150,
    sameKey: [
      [
        '{"matrix":[[0,1,1,0],[0,0,0,1],[0,0,0,1],[0,0,0,0]],"ops":["input","conv3","pool","output"]}',
        '{"matrix":[[0,1,1,0],[0,0,0,1],[0,0,0,1],[0,0,0,0]],"ops":["input","pool","conv3","output"]}',
      ],
      // An extra vertex off every input -> output path is pruned.
      [single, '{"matrix":[[0,1,1],[0,0,0],[0,0,0]],"ops":["input","conv1","output"]}'],
    ],
    differentKey: [
      [single, '{"matrix":[[0,1,0],[0,0,1],[0,0,0]],"ops":["input","conv1","output"]}'],
      ['{"matrix":[[0,1,0],[0,0,1],[0,0,0]],"ops":["input","conv1","output"]}', '{"matrix":[[0,1,0],[0,0,1],[0,0,0]],"ops":["input","pool","output"]}'],
    ],
    malformed: ['{"matrix":[[0,0],[0,0]],"ops":["input","output"]}', '{"matrix":[[0,1,0],[0,0,1],[0,0,0]],"ops":["input","conv5","output"]}', '{}', 'null'],
  }));

describe('dag space sparse-dag (12 vertices, 4 edges, enumerable)', () => spaceProperties(sparse, { runs: 100 }));

describe('dag space wide-dag (12 vertices, 30 edges, 16 ops)', () => spaceProperties(wide, { runs: 100 }));

describe('nb101 as a dag instance', () => spaceProperties(nb101Space, { runs: 100 }));
