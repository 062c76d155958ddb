import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { checkDataFileSync, readDataFile, readDataFileSync, UserError, type DataFileLimit } from '@dcl-enas/common';
import { decodeAnnotations, type Annotation } from './annotations';
import { WfdbFormatError } from './errors';
import { decodeFormat212, format212Bytes } from './format212';
import { parseHeader, type SignalSpec, type WfdbHeader } from './header';
import { verifySignal } from './verify';

export interface ReadRecordOptions {
  /** Annotation file suffix ("atr" by default); null reads no annotations. */
  readonly annotator?: string | null;
}

export interface WfdbRecord {
  readonly header: WfdbHeader;
  /** Raw ADC samples, one array per header signal, verified against first value and checksum. */
  readonly signals: readonly Int16Array[];
  readonly annotations: readonly Annotation[] | null;
}

/** The files a record is made of, as paths. */
export interface RecordFiles {
  readonly header: string;
  readonly signalFiles: readonly string[];
  readonly annotations: string | null;
}

/** Reads, decodes and verifies a record `name` in `dir` (header, format-212 signals, annotations). */
export async function readRecord(dir: string, name: string, options: ReadRecordOptions = {}): Promise<WfdbRecord> {
  const header = await readHeader(dir, name);
  const files = recordFiles(dir, name, header, options);
  const contents = await Promise.all(filesToRead(files).map(({ path, limit }) => readWfdbFile(path, limit)));
  return assembleRecord(header, files, new Map(filesToRead(files).map(({ path }, i) => [path, contents[i]])));
}

export function readRecordSync(dir: string, name: string, options: ReadRecordOptions = {}): WfdbRecord {
  const header = readHeaderSync(dir, name);
  const files = recordFiles(dir, name, header, options);
  return assembleRecord(header, files, new Map(filesToRead(files).map(({ path, limit }) => [path, readWfdbFileSync(path, limit)])));
}

/** Reads and parses the header `<dir>/<name>.hea`. */
export async function readHeader(dir: string, name: string): Promise<WfdbHeader> {
  const path = join(dir, `${name}.hea`);
  return parseHeader(await readWfdbFile(path, HEADER_LIMIT), path);
}

export function readHeaderSync(dir: string, name: string): WfdbHeader {
  const path = join(dir, `${name}.hea`);
  return parseHeader(readWfdbFileSync(path, HEADER_LIMIT), path);
}

/**
 * A quick check of a record without decoding its samples: header and annotations parsed and
 * checked (every annotation within the record's samples), each signal file present with the
 * size its header implies. readRecord also verifies each signal's first value and checksum.
 */
export function checkRecordSync(dir: string, name: string, options: ReadRecordOptions = {}): { header: WfdbHeader; annotations: readonly Annotation[] | null } {
  const header = readHeaderSync(dir, name);
  const files = recordFiles(dir, name, header, options);
  let length = header.nSamples;
  signalGroups(header).forEach((group, g) => {
    const path = files.signalFiles[g];
    const start = group.specs[0].byteOffset;
    const signals = group.specs.length;
    const size = wfdbFileSize(path, SIGNAL_LIMIT);
    length ??= Math.floor(Math.floor((Math.max(0, size - start) * 2) / 3) / signals);
    const expected = start + format212Bytes(signals, length);
    if (size !== expected) {
      throw new WfdbFormatError(path, null, `the file has ${size} bytes but its header implies ${expected} (${length} samples of ${signals} signal(s))`);
    }
  });
  if (!files.annotations) return { header, annotations: null };
  const annotations = decodeAnnotations(readWfdbFileSync(files.annotations, ANNOTATION_LIMIT), files.annotations);
  checkAnnotationTimes(annotations, length, files.annotations);
  return { header, annotations };
}

/** The paths of a record's signal and annotation files, from its parsed header. */
export function recordFiles(dir: string, name: string, header: WfdbHeader, options: ReadRecordOptions = {}): RecordFiles {
  const annotator = options.annotator === undefined ? 'atr' : options.annotator;
  return {
    header: join(dir, `${name}.hea`),
    signalFiles: signalGroups(header).map((g) => join(dir, g.fileName)),
    annotations: annotator === null ? null : join(dir, `${name}.${annotator}`),
  };
}

/** Decodes and verifies a record from file contents already in memory (keyed by the paths of `files`). */
export function assembleRecord(header: WfdbHeader, files: RecordFiles, contents: ReadonlyMap<string, Buffer>): WfdbRecord {
  const signals: Int16Array[] = [];
  signalGroups(header).forEach((group, g) => {
    const path = files.signalFiles[g];
    const data = contents.get(path);
    if (!data) throw new UserError(`${path} was not read; pass its contents to assembleRecord`);
    const first = group.specs[0];
    const decoded = decodeFormat212(data, group.specs.length, header.nSamples, path, first.byteOffset);
    group.specs.forEach((spec, i) => {
      verifySignal(decoded[i], spec, i, path);
      signals.push(decoded[i]);
    });
  });

  let annotations: Annotation[] | null = null;
  if (files.annotations) {
    const data = contents.get(files.annotations);
    if (!data) throw new UserError(`${files.annotations} was not read; pass its contents to assembleRecord`);
    annotations = decodeAnnotations(data, files.annotations);
    checkAnnotationTimes(annotations, signals[0]?.length ?? header.nSamples, files.annotations);
  }
  return { header, signals, annotations };
}

function checkAnnotationTimes(annotations: readonly Annotation[], length: number | null | undefined, file: string): void {
  if (length === undefined || length === null) return;
  const late = annotations.find((a) => a.sample >= length);
  if (late) throw new WfdbFormatError(file, late.offset, `annotation at sample ${late.sample} lies past the record's ${length} samples`);
}

interface SignalGroup {
  readonly fileName: string;
  readonly specs: readonly SignalSpec[];
}

/** Consecutive header signals stored in the same file, checked to be decodable here. */
function signalGroups(header: WfdbHeader): SignalGroup[] {
  const groups: { fileName: string; specs: SignalSpec[] }[] = [];
  for (const spec of header.signals) {
    const last = groups[groups.length - 1];
    if (last && last.fileName === spec.fileName) {
      last.specs.push(spec);
      continue;
    }
    if (groups.some((g) => g.fileName === spec.fileName)) {
      throw new WfdbFormatError(header.file, spec.lineOffset, `signals of file ${spec.fileName} are not on consecutive lines`);
    }
    if (spec.format !== 212 || spec.samplesPerFrame !== 1 || spec.skew !== 0) {
      throw new WfdbFormatError(
        header.file,
        spec.lineOffset,
        `signal "${spec.description}" uses format ${spec.format} (${spec.samplesPerFrame} sample(s) per frame, skew ${spec.skew}); only format 212 with one sample per frame and no skew is supported`,
        "convert the record (e.g. with WFDB's xform) to format 212",
      );
    }
    groups.push({ fileName: spec.fileName, specs: [spec] });
  }
  for (const g of groups) {
    if (g.specs.some((s) => s.byteOffset !== g.specs[0].byteOffset)) {
      throw new WfdbFormatError(header.file, g.specs[0].lineOffset, `signals of file ${g.fileName} state different byte offsets`);
    }
  }
  return groups;
}

const FIX = "restore the record's files from the original database (compare with its SHA256SUMS)";
// MIT-BIH: headers of at most 546 bytes, annotation files of at most 9 KB, signal files of
// 1.95 MB. The limits leave room for other WFDB records (a day of two-lead ECG is ~60 MB).
// Empty files are left to the parsers, which name the byte where the data should be.
const HEADER_LIMIT: DataFileLimit = { maxBytes: 1 << 20, fix: FIX, allowEmpty: true };
const ANNOTATION_LIMIT: DataFileLimit = { maxBytes: 64 << 20, fix: FIX, allowEmpty: true };
const SIGNAL_LIMIT: DataFileLimit = { maxBytes: 1 << 30, fix: FIX, allowEmpty: true };

function filesToRead(files: RecordFiles): { path: string; limit: DataFileLimit }[] {
  return [
    ...files.signalFiles.map((path) => ({ path, limit: SIGNAL_LIMIT })),
    ...(files.annotations ? [{ path: files.annotations, limit: ANNOTATION_LIMIT }] : []),
  ];
}

async function readWfdbFile(path: string, limit: DataFileLimit): Promise<Buffer> {
  if (!existsSync(path)) throw missing(path);
  return readDataFile(path, limit);
}

function readWfdbFileSync(path: string, limit: DataFileLimit): Buffer {
  if (!existsSync(path)) throw missing(path);
  return readDataFileSync(path, limit);
}

function wfdbFileSize(path: string, limit: DataFileLimit): number {
  if (!existsSync(path)) throw missing(path);
  return checkDataFileSync(path, limit);
}

function missing(path: string): UserError {
  return new UserError(`missing WFDB file ${path}: place the record's .hea, .dat and annotation files there (or set ENAS_DATA_DIR)`);
}
