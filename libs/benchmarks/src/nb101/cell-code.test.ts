import { describe, expect, it } from 'vitest';
import { Rng } from '@dcl-enas/common';
import { nb101Space, pruneCell, type Nb101Arch } from '@dcl-enas/spaces';
import { packCell, unpackCell } from './cell-code';
import { packRecordCell } from './nb101-record';

describe('packed NB101 cells', () => {
  it('unpack what they pack, and agree with the record form', () => {
    const rng = Rng.seeded(8);
    for (let i = 0; i < 300; i++) {
      const cell = pruneCell(nb101Space.sample(rng)) as Nb101Arch;
      const packed = packCell(cell);
      const back = unpackCell(packed.adjacency, packed.ops, packed.nodes);
      expect({ matrix: back.matrix, ops: back.ops }).toEqual({ matrix: cell.matrix, ops: cell.ops });
      expect(packRecordCell(cell.matrix.flat().join(''), cell.ops.join(','))).toEqual(packed);
    }
  });

  it('names what is wrong with a record cell', () => {
    expect(packRecordCell('0100', 'input,output')).toEqual({ adjacency: 1, ops: 0, nodes: 2 });
    expect(packRecordCell('010', 'input,output')).toMatch(/not a square matrix/);
    expect(packRecordCell('0010', 'input,output')).toMatch(/not an upper-triangular 0\/1 matrix/);
    expect(packRecordCell('0200', 'input,output')).toMatch(/not an upper-triangular 0\/1 matrix/);
    expect(packRecordCell('010001000', 'input,conv5x5,output')).toMatch(/"conv5x5" is not an NB101 op/);
    expect(packRecordCell('010001000', 'input,output')).toMatch(/are not input, 1 NB101 ops, output/);
  });
});
