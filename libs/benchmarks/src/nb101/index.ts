export { Nb101Table, type Nb101Columns, type Nb101Source } from './nb101-table';
export { Nb101Evaluator, NB101_DATASETS } from './nb101-evaluator';
export {
  loadNb101,
  nb101FullReleaseMissingMessage,
  requireFullNb101,
  NB101_DIR,
  NB101_RELEASE_FILES,
  type Nb101LoadOptions,
  type Nb101Loaded,
} from './nb101-load';
export { readNb101Release } from './nb101-release';
export { readNb101Subset, readNb101SubsetRows, NB101_SUBSET_FILE, type Nb101SubsetRow } from './nb101-subset';
export { defaultCacheDir, cachePathFor, readTableCache, writeTableCache, stampOf, type SourceStamp } from './nb101-cache';
export { encodeNb101Record, NB101_EPOCHS } from './nb101-record';
export { decodeModelMetrics, encodeModelMetrics, type ModelMetrics, type EvaluationData } from './model-metrics';
export { readTfRecordsSync } from './tfrecord-reader';
export { encodeTfRecord, writeTfRecordFile } from './tfrecord-writer';
export { TfRecordError } from './tfrecord-error';
export { maskedCrc32c } from './crc32c';
export { packCell, unpackCell } from './cell-code';
export {
  readNb101CsvSync,
  streamNb101Csv,
  parseNb101CsvLine,
  NB101_SPACE_FILE,
  NB101_SAMPLE_FILE,
  NB101_CELL_COLUMNS,
  type Nb101CsvCell,
  type RowHandler,
} from './nb101-csv';
export { readNb101Sample, NB101_SAMPLE_ROWS, NB101_SAMPLE_COLUMNS } from './nb101-sample';
