import { UserError } from '@dcl-enas/common';
import { nb101Space, type Nb101Arch } from '@dcl-enas/spaces';
import type { Ceiling, Evaluator, QueryResult } from '../evaluator';
import type { Nb101Table } from './nb101-table';

export const NB101_DATASETS = ['cifar10'] as const;

/** Tabular evaluation on NAS-Bench-101 (CIFAR-10): a query looks the cell's module hash up. */
export class Nb101Evaluator implements Evaluator<Nb101Arch> {
  readonly space = nb101Space;
  readonly datasets = NB101_DATASETS;

  constructor(readonly table: Nb101Table) {}

  query(arch: Nb101Arch, dataset: string): QueryResult {
    if (dataset !== 'cifar10') throw new UserError(`unknown NAS-Bench-101 dataset "${dataset}": use cifar10`);
    const reason = nb101Space.invalidReason(arch);
    if (reason) throw new UserError(`invalid NB101 cell: ${reason}`);
    const hash = nb101Space.key(arch);
    const row = this.table.row(hash);
    if (row === undefined) {
      const where = {
        full: 'the NAS-Bench-101 table',
        sample: 'the 20,001-cell NB101 sample nb101-sample20k.csv.gz (the full release, nasbench_only108.tfrecord, has every cell)',
        subset: 'the shipped 500-line NB101 subset (the full release, nasbench_only108.tfrecord, has every cell)',
      }[this.table.source];
      throw new UserError(`NB101 cell ${hash} is not in ${where}`);
    }
    return { valAcc: this.table.valAcc(row), testAcc: this.table.testAcc(row), trainSeconds: this.table.trainSeconds(row) };
  }

  /** Best validation accuracy in the table and the (lowest, if tied) test accuracy it selects. */
  ceiling(): Ceiling {
    let bestVal = -Infinity;
    let testAtBest: number | null = null;
    for (let row = 0; row < this.table.size; row++) {
      const val = this.table.valAcc(row);
      const test = this.table.testAcc(row);
      if (val > bestVal) {
        bestVal = val;
        testAtBest = test;
      } else if (val === bestVal && test !== null && (testAtBest === null || test < testAtBest)) testAtBest = test;
    }
    return { bestValAcc: bestVal, testAccAtBestVal: testAtBest };
  }
}
