import { basename } from 'node:path';
import { checkDataFileSync, describeRule, FRACTION, meetsRule, NON_NEGATIVE, NON_NEGATIVE_INTEGER, type DataFileLimit, type NumberRule } from '@dcl-enas/common';
import { ModelMetricsType } from './model-metrics';
import { NB101_EPOCHS, packRecordCell, parseNb101Record, scanNb101Record } from './nb101-record';
import { Nb101Table } from './nb101-table';
import { TfRecordError } from './tfrecord-error';
import { readTfRecordsSync } from './tfrecord-reader';

const NOT_NB101 = 'this is not a NAS-Bench-101 release file, or it is damaged; download nasbench_only108.tfrecord again';
/** Epoch budgets of the release (README: nasbench_full has 4/12/36/108, nasbench_only108 only 108). */
const RELEASE_EPOCHS = [4, 12, 36, 108];
/** nasbench_only108 is about 499 MB and nasbench_full about 1.95 GB: four times that is plenty. */
const MAX_BYTES: Readonly<Record<string, number>> = { 'nasbench_only108.tfrecord': 2 * 2 ** 30, 'nasbench_full.tfrecord': 8 * 2 ** 30 };

/** The size check of a release file (whatever its name, at most the larger limit). */
export function releaseFileLimit(file: string): DataFileLimit {
  return { maxBytes: MAX_BYTES[basename(file)] ?? 8 * 2 ** 30, fix: 'download nasbench_only108.tfrecord from the official NAS-Bench-101 release again' };
}

/** Decoded protobuf objects: fields absent on the wire are not own properties. */
type Decoded = Record<string, unknown> & { evaluation_data?: Record<string, unknown>[] };
const has = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);
const numberOr = (o: Record<string, unknown>, k: string): number => (has(o, k) ? (o[k] as number) : Number.NaN);

/** Growable typed columns, summed per module hash while the file streams past. */
class Accumulator {
  readonly hashes: string[] = [];
  private readonly index = new Map<string, number>();
  private capacity = 1 << 16;
  val = new Float64Array(this.capacity);
  test = new Float64Array(this.capacity);
  time = new Float64Array(this.capacity);
  valN = new Uint8Array(this.capacity);
  testN = new Uint8Array(this.capacity);
  timeN = new Uint8Array(this.capacity);
  params = new Float64Array(this.capacity);
  adjacency = new Uint32Array(this.capacity);
  ops = new Uint16Array(this.capacity);
  nodes = new Uint8Array(this.capacity);

  /** Row of a hash already seen, else undefined. */
  rowOf(hash: string): number | undefined {
    return this.index.get(hash);
  }

  /** A new row for a hash seen for the first time. */
  add(hash: string): number {
    const row = this.hashes.length;
    if (row === this.capacity) this.grow();
    this.hashes.push(hash);
    this.index.set(hash, row);
    return row;
  }

  private grow(): void {
    this.capacity *= 2;
    const grown = <T extends Float64Array | Uint32Array | Uint16Array | Uint8Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(this.capacity);
      b.set(a);
      return b;
    };
    this.val = grown(this.val);
    this.test = grown(this.test);
    this.time = grown(this.time);
    this.valN = grown(this.valN);
    this.testN = grown(this.testN);
    this.timeN = grown(this.timeN);
    this.params = grown(this.params);
    this.adjacency = grown(this.adjacency);
    this.ops = grown(this.ops);
    this.nodes = grown(this.nodes);
  }

  table(): Nb101Table {
    const n = this.hashes.length;
    const mean = (sum: Float64Array, count: Uint8Array): Float64Array =>
      Float64Array.from({ length: n }, (_, i) => (count[i] > 0 ? sum[i] / count[i] : Number.NaN));
    return new Nb101Table(
      {
        hashes: this.hashes,
        valAcc: mean(this.val, this.valN),
        testAcc: mean(this.test, this.testN),
        trainSeconds: mean(this.time, this.timeN),
        params: this.params.slice(0, n),
        adjacency: this.adjacency.slice(0, n),
        ops: this.ops.slice(0, n),
        nodes: this.nodes.slice(0, n),
      },
      'full',
      this.index,
    );
  }
}

/**
 * Reads the official NAS-Bench-101 release (nasbench_only108.tfrecord or nasbench_full.tfrecord)
 * into one table row per module hash, from its 108-epoch records: the mean over repeats of the
 * final validation and test accuracy (percent) and of the final training time (seconds), and
 * trainable_parameters from the first record of the hash (as the NB101 API does).
 */
export function readNb101Release(file: string): Nb101Table {
  checkDataFileSync(file, releaseFileLimit(file));
  const acc = new Accumulator();
  readTfRecordsSync(file, (data, offset) => {
    const record = scanNb101Record(data);
    if (!record) {
      // Not the usual layout: let the JSON parser say what is wrong, or read it the slow way.
      const parsed = parseNb101Record(data.toString('utf8'));
      if (typeof parsed === 'string') throw new TfRecordError(file, offset, parsed, NOT_NB101);
      return addRecord(acc, file, offset, parsed.hash, parsed.epochs, () => [parsed.adjacency, parsed.operations], parsed.metrics);
    }
    const text = (at: [number, number]): string => data.toString('latin1', at[0], at[1]);
    addRecord(acc, file, offset, record.hash, record.epochs, () => [text(record.adjacency), text(record.operations)], text(record.metrics));
  });
  if (acc.hashes.length === 0) throw new TfRecordError(file, 0, `no ${NB101_EPOCHS}-epoch record in the file`, NOT_NB101);
  return acc.table();
}

/**
 * Each figure of a record, checked: accuracies are fractions in [0, 1], times and the parameter
 * count >= 0. Only the final validation accuracy is required; the others are proto2-optional
 * and stay missing (null) when absent.
 */
function checkFigure(file: string, offset: number, hash: string, field: string, value: unknown, rule: NumberRule): void {
  if (typeof value !== 'number' || !meetsRule(value, rule)) {
    throw new TfRecordError(file, offset, `record ${hash}: ${field} is ${String(value)}, not ${describeRule(rule)}`, NOT_NB101);
  }
}

function addRecord(
  acc: Accumulator,
  file: string,
  offset: number,
  hash: string,
  epochs: number,
  cell: () => [adjacency: string, operations: string],
  base64Metrics: string,
): void {
  if (!RELEASE_EPOCHS.includes(epochs)) {
    throw new TfRecordError(file, offset, `record ${hash}: epochs is ${epochs}, not one of ${RELEASE_EPOCHS.join(', ')}`, NOT_NB101);
  }
  if (epochs !== NB101_EPOCHS) return;
  let metrics: Decoded;
  try {
    metrics = ModelMetricsType.decode(Buffer.from(base64Metrics, 'base64')) as unknown as Decoded;
  } catch (error) {
    throw new TfRecordError(file, offset, `record metrics are not a ModelMetrics protobuf (${(error as Error).message})`, NOT_NB101);
  }
  const final = metrics.evaluation_data?.[2];
  if (!final || !has(final, 'validation_accuracy')) {
    throw new TfRecordError(file, offset, 'record has no final (third) evaluation with a validation accuracy', NOT_NB101);
  }
  checkFigure(file, offset, hash, 'final validation_accuracy', final.validation_accuracy, FRACTION);
  if (has(final, 'test_accuracy')) checkFigure(file, offset, hash, 'final test_accuracy', final.test_accuracy, FRACTION);
  if (has(final, 'training_time')) checkFigure(file, offset, hash, 'final training_time', final.training_time, NON_NEGATIVE);
  if (has(metrics, 'trainable_parameters')) checkFigure(file, offset, hash, 'trainable_parameters', metrics.trainable_parameters, NON_NEGATIVE_INTEGER);
  let row = acc.rowOf(hash);
  if (row === undefined) {
    const packed = packRecordCell(...cell());
    if (typeof packed === 'string') throw new TfRecordError(file, offset, packed, NOT_NB101);
    row = acc.add(hash);
    acc.adjacency[row] = packed.adjacency;
    acc.ops[row] = packed.ops;
    acc.nodes[row] = packed.nodes;
    acc.params[row] = numberOr(metrics, 'trainable_parameters');
  }
  acc.val[row] += 100 * (final.validation_accuracy as number);
  acc.valN[row]++;
  const test = numberOr(final, 'test_accuracy');
  if (!Number.isNaN(test)) {
    acc.test[row] += 100 * test;
    acc.testN[row]++;
  }
  const time = numberOr(final, 'training_time');
  if (!Number.isNaN(time)) {
    acc.time[row] += time;
    acc.timeN[row]++;
  }
}
