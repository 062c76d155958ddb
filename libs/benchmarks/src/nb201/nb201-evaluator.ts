import { UserError } from '@dcl-enas/common';
import { nb201Index, nb201Space, type Nb201Arch } from '@dcl-enas/spaces';
import type { Ceiling, Evaluator, QueryResult } from '../evaluator';
import { NB201_DATASETS, type Nb201Dataset, type Nb201Table } from './nb201-table';

export function isNb201Dataset(name: string): name is Nb201Dataset {
  return (NB201_DATASETS as readonly string[]).includes(name);
}

function checkDataset(dataset: string): Nb201Dataset {
  if (!isNb201Dataset(dataset)) throw new UserError(`unknown NAS-Bench-201 dataset "${dataset}": use one of ${NB201_DATASETS.join(', ')}`);
  return dataset;
}

/** Tabular evaluation on NAS-Bench-201: a query is a table lookup charged its recorded training time. */
export class Nb201Evaluator implements Evaluator<Nb201Arch> {
  readonly space = nb201Space;
  readonly datasets = NB201_DATASETS;

  constructor(readonly table: Nb201Table) {}

  query(arch: Nb201Arch, dataset: string): QueryResult {
    const d = checkDataset(dataset);
    const reason = nb201Space.invalidReason(arch);
    if (reason) throw new UserError(`invalid NAS-Bench-201 cell: ${reason}`);
    const i = nb201Index(arch);
    return { valAcc: this.table.val[d][i], testAcc: this.table.test[d][i], trainSeconds: this.table.trainSeconds[i] };
  }

  /**
   * Best validation accuracy in the table and the test accuracy it selects. Where cells tie on
   * the best validation accuracy (cifar100 does), the lowest of their test accuracies is given,
   * the figure a search is sure to reach by finding any of them.
   */
  ceiling(dataset: string): Ceiling {
    const d = checkDataset(dataset);
    const val = this.table.val[d];
    const test = this.table.test[d];
    let bestVal = -Infinity;
    let testAtBest = -Infinity;
    for (let i = 0; i < val.length; i++) {
      if (val[i] > bestVal) {
        bestVal = val[i];
        testAtBest = test[i];
      } else if (val[i] === bestVal) testAtBest = Math.min(testAtBest, test[i]);
    }
    return { bestValAcc: bestVal, testAccAtBestVal: testAtBest };
  }
}
