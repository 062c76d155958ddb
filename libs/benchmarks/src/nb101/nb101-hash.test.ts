import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveDataDir } from '@dcl-enas/common';
import { nb101Hash, nb101Space, pruneCell, type Nb101Arch } from '@dcl-enas/spaces';
import { NB101_CELL_COLUMNS, NB101_SAMPLE_FILE, NB101_SPACE_FILE, streamNb101Csv, type Nb101CsvCell } from './nb101-csv';
import { NB101_DIR } from './nb101-load';
import { NB101_SAMPLE_COLUMNS } from './nb101-sample';

/**
 * The project's NB101 module hash (the space's `key`, which the evaluator looks tables up by)
 * against the hash the files give, on their first rows. tools/nb101-hash-check.ts does all
 * 423,624 cells of the space.
 */
const dir = join(resolveDataDir(), NB101_DIR);

async function rows(file: string, header: readonly string[], keep: (index: number) => boolean, upTo: number): Promise<Nb101CsvCell[]> {
  const out: Nb101CsvCell[] = [];
  let index = 0;
  await streamNb101Csv(file, header, (row) => {
    if (keep(index)) out.push(row);
    return ++index < upTo;
  });
  return out;
}

describe("the project's NB101 hash equals the files' hash", () => {
  it('on the first 3,000 cells of nb101-space.csv.gz, which are valid and already pruned', async () => {
    const cells = await rows(join(dir, NB101_SPACE_FILE), NB101_CELL_COLUMNS, () => true, 3000);
    expect(cells).toHaveLength(3000);
    const wrong = cells.filter(({ hash, cell }) => nb101Space.key(cell) !== hash).map((r) => r.line);
    expect(wrong).toEqual([]);
    for (const { cell } of cells.slice(0, 300)) {
      expect(nb101Space.invalidReason(cell)).toBeNull();
      const pruned = pruneCell(cell) as Nb101Arch;
      expect({ matrix: pruned.matrix, ops: pruned.ops }).toEqual(cell);
      expect(nb101Hash(cell)).toBe(nb101Space.key(cell));
    }
  });

  it('on every 500th cell of nb101-sample20k.csv.gz, the first and the last included', async () => {
    const cells = await rows(join(dir, NB101_SAMPLE_FILE), NB101_SAMPLE_COLUMNS, (i) => i % 500 === 0, Infinity);
    expect(cells).toHaveLength(41); // rows 0, 500, ..., 20,000
    for (const { hash, cell } of cells) expect(nb101Space.key(cell)).toBe(hash);
  });

  it('and differs when one op of a cell changes', async () => {
    const [first] = await rows(join(dir, NB101_SPACE_FILE), NB101_CELL_COLUMNS, () => true, 1);
    const ops = [...first.cell.ops];
    ops[1] = ops[1] === 'maxpool3x3' ? 'conv1x1-bn-relu' : 'maxpool3x3';
    expect(nb101Space.key({ ...first.cell, ops } as Nb101Arch)).not.toBe(first.hash);
  });
});
