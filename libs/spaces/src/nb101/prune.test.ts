import { describe, expect, it } from 'vitest';
import { pruneCell } from './prune';
import { nb101Space } from './space';
import { C1, C3, MP, PRUNABLE_MATRIX } from './test-cells';

describe('NB101 pruning', () => {
  it('drops vertices with no path to the output and vertices the input does not reach', () => {
    // 0 -> 1 -> 4 (output); 2 is reached from the input but leads nowhere; 3 feeds the output
    // but nothing feeds it.
    const cell = { matrix: PRUNABLE_MATRIX, ops: ['input', C3, C1, MP, 'output'] };
    const pruned = pruneCell(cell);
    expect(pruned).not.toBeNull();
    expect(pruned?.kept).toEqual([0, 1, 4]);
    expect(pruned?.matrix).toEqual([
      [0, 1, 0],
      [0, 0, 1],
      [0, 0, 0],
    ]);
    expect(pruned?.ops).toEqual(['input', C3, 'output']);
  });

  it('gives an unpruned cell the key of its pruned form', () => {
    const unpruned = {
      matrix: [
        [0, 1, 1, 0, 0, 0, 0],
        [0, 0, 0, 1, 0, 0, 1],
        [0, 0, 0, 0, 1, 0, 0],
        [0, 0, 0, 0, 0, 0, 1],
        [0, 0, 0, 0, 0, 0, 0],
        [0, 0, 0, 0, 0, 0, 1],
        [0, 0, 0, 0, 0, 0, 0],
      ],
      ops: ['input', C3, MP, C1, C3, C1, 'output'],
    };
    const explicit = {
      matrix: [
        [0, 1, 0, 0],
        [0, 0, 1, 1],
        [0, 0, 0, 1],
        [0, 0, 0, 0],
      ],
      ops: ['input', C3, C1, 'output'],
    };
    expect(pruneCell(unpruned)?.kept).toEqual([0, 1, 3, 6]);
    expect(nb101Space.key(unpruned)).toBe(nb101Space.key(explicit));
  });

  it('returns null when the input does not reach the output', () => {
    const cell = {
      matrix: [
        [0, 1, 0],
        [0, 0, 0],
        [0, 0, 0],
      ],
      ops: ['input', C3, 'output'],
    };
    expect(pruneCell(cell)).toBeNull();
  });

  it('keeps the direct input -> output cell', () => {
    const cell = { matrix: [[0, 1], [0, 0]], ops: ['input', 'output'] };
    expect(pruneCell(cell)?.kept).toEqual([0, 1]);
    expect(nb101Space.isValid(cell)).toBe(true);
  });
});
