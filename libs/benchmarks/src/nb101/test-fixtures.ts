import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { resolveDataDir } from '@dcl-enas/common';
import { pruneCell, type Nb101Arch } from '@dcl-enas/spaces';
import type { ModelMetrics } from './model-metrics';
import { encodeNb101Record } from './nb101-record';
import { NB101_SUBSET_FILE, readNb101SubsetRows, type Nb101SubsetRow } from './nb101-subset';
import { NB101_DIR } from './nb101-load';

/** The shipped subset in the real data directory. */
export const shippedSubset = (): string => join(resolveDataDir(), NB101_DIR, NB101_SUBSET_FILE);

/** A data directory holding (a link to) the shipped subset only. */
export function subsetOnlyDataDir(root: string): string {
  mkdirSync(join(root, NB101_DIR), { recursive: true });
  symlinkSync(shippedSubset(), join(root, NB101_DIR, NB101_SUBSET_FILE));
  return root;
}

/**
 * Test-fixture figures the shipped subset does not have (it has validation accuracy only).
 * They are invented, plainly, so that test accuracy, training time and parameter count can be
 * checked through a round trip; nothing outside tests ever sees them.
 */
export const SYNTHETIC = {
  testAcc: (valAcc: number, run: number): number => valAcc - 1 - run / 10,
  trainSeconds: (row: number, run: number): number => 1000 + row + run,
  params: (row: number): number => 100_000 + row,
} as const;

/** Per module hash of the shipped rows: the pruned cell and the distinct accuracies (one per run seen). */
export function shippedCells(rows: Nb101SubsetRow[] = readNb101SubsetRows(shippedSubset())): { hash: string; cell: Nb101Arch; runs: number[] }[] {
  const byKey = new Map<string, { hash: string; cell: Nb101Arch; runs: number[] }>();
  for (const row of rows) {
    const entry = byKey.get(row.key) ?? { hash: row.key, cell: pruneCell(row.cell) as Nb101Arch, runs: [] };
    if (!entry.runs.includes(row.valAcc)) entry.runs.push(row.valAcc);
    byKey.set(row.key, entry);
  }
  return [...byKey.values()];
}

function metrics(valAcc: number, testAcc: number, seconds: number, params: number): ModelMetrics {
  return {
    evaluation_data: [
      { current_epoch: 0, training_time: 0, train_accuracy: 0.1, validation_accuracy: 0.1, test_accuracy: 0.1, checkpoint_path: '' },
      { current_epoch: 54, training_time: seconds / 2, train_accuracy: 0.5, validation_accuracy: 0.5, test_accuracy: 0.5, checkpoint_path: '' },
      { current_epoch: 108, training_time: seconds, train_accuracy: 1, validation_accuracy: valAcc / 100, test_accuracy: testAcc / 100, checkpoint_path: '' },
    ],
    trainable_parameters: params,
    total_time: seconds * 1.1,
  };
}

/**
 * Records in the official format for the shipped cells: one 108-epoch record per run seen,
 * carrying its real validation accuracy and the SYNTHETIC figures above. With `otherEpochs`,
 * also records at 4/12/36 epochs (as nasbench_full.tfrecord has) with deliberately wrong values.
 */
export function releaseRecords(cells: ReturnType<typeof shippedCells>, otherEpochs = false): Buffer[] {
  const out: Buffer[] = [];
  cells.forEach(({ hash, cell, runs }, row) => {
    for (const epochs of otherEpochs ? [4, 12, 36] : []) out.push(encodeNb101Record(hash, epochs, cell, metrics(10, 10, 1, SYNTHETIC.params(row))));
    runs.forEach((valAcc, run) => {
      // Later runs carry another count, to show the loader keeps the first record's (as NB101 does).
      const params = run === 0 ? SYNTHETIC.params(row) : 1;
      out.push(encodeNb101Record(hash, 108, cell, metrics(valAcc, SYNTHETIC.testAcc(valAcc, run), SYNTHETIC.trainSeconds(row, run), params)));
    });
  });
  return out;
}
