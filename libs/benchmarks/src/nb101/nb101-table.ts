import type { Nb101Arch } from '@dcl-enas/spaces';
import { unpackCell } from './cell-code';

/** Where a table's rows come from: the official release, the 20,001-cell sample, or the 500-line subset. */
export type Nb101Source = 'full' | 'sample' | 'subset';

/**
 * Column storage for one NB101 table, one entry per cell (module hash). Accuracies are in percent;
 * NaN marks a figure the source does not have.
 */
export interface Nb101Columns {
  readonly hashes: readonly string[];
  readonly valAcc: Float64Array;
  readonly testAcc: Float64Array;
  readonly trainSeconds: Float64Array;
  readonly params: Float64Array;
  /** The pruned cell, packed (see cell-code.ts). */
  readonly adjacency: Uint32Array;
  readonly ops: Uint16Array;
  readonly nodes: Uint8Array;
}

const orNull = (x: number): number | null => (Number.isNaN(x) ? null : x);

/** One compact in-memory copy of an NB101 table with a hash -> row index. */
export class Nb101Table {
  readonly size: number;
  private readonly rows: Map<string, number>;

  /** `rows` may pass in a hash -> row map the caller already built (it must match `columns.hashes`). */
  constructor(
    readonly columns: Nb101Columns,
    readonly source: Nb101Source,
    rows?: Map<string, number>,
  ) {
    this.size = columns.hashes.length;
    if (rows && rows.size !== this.size) throw new RangeError('Nb101Table: the row map does not match the hashes');
    this.rows = rows ?? new Map(columns.hashes.map((hash, row) => [hash, row]));
  }

  /** Row of a module hash, or undefined when the table lacks it. */
  row(hash: string): number | undefined {
    return this.rows.get(hash);
  }

  hashAt(row: number): string {
    return this.columns.hashes[row];
  }

  /** The pruned cell of a row, as the benchmark stores it. */
  archAt(row: number): Nb101Arch {
    const c = this.columns;
    return unpackCell(c.adjacency[row], c.ops[row], c.nodes[row]);
  }

  valAcc(row: number): number {
    return this.columns.valAcc[row];
  }

  testAcc(row: number): number | null {
    return orNull(this.columns.testAcc[row]);
  }

  trainSeconds(row: number): number | null {
    return orNull(this.columns.trainSeconds[row]);
  }

  params(row: number): number | null {
    return orNull(this.columns.params[row]);
  }
}
