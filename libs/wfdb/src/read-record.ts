import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '@dcl-enas/common';
import { decodeAnnotations, type Annotation } from './annotations';
import { WfdbFormatError } from './errors';
import { decodeFormat212 } from './format212';
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
  const headerPath = join(dir, `${name}.hea`);
  const header = parseHeader(await readFileOrFail(headerPath), headerPath);
  const files = recordFiles(dir, name, header, options);
  const paths = [...files.signalFiles, ...(files.annotations ? [files.annotations] : [])];
  const contents = await Promise.all(paths.map(readFileOrFail));
  return assembleRecord(header, files, new Map(paths.map((p, i) => [p, contents[i]])));
}

export function readRecordSync(dir: string, name: string, options: ReadRecordOptions = {}): WfdbRecord {
  const headerPath = join(dir, `${name}.hea`);
  const header = parseHeader(readFileOrFailSync(headerPath), headerPath);
  const files = recordFiles(dir, name, header, options);
  const paths = [...files.signalFiles, ...(files.annotations ? [files.annotations] : [])];
  return assembleRecord(header, files, new Map(paths.map((p) => [p, readFileOrFailSync(p)])));
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
    const length = signals[0]?.length ?? header.nSamples;
    if (length !== undefined && length !== null) {
      const late = annotations.find((a) => a.sample >= length);
      if (late) throw new WfdbFormatError(files.annotations, late.offset, `annotation at sample ${late.sample} lies past the record's ${length} samples`);
    }
  }
  return { header, signals, annotations };
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

async function readFileOrFail(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    throw fileError(path, err);
  }
}

function readFileOrFailSync(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw fileError(path, err);
  }
}

function fileError(path: string, err: unknown): Error {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new UserError(`missing WFDB file ${path}: place the record's .hea, .dat and annotation files there (or set ENAS_DATA_DIR)`);
  return new UserError(`cannot read ${path} (${code ?? String(err)}): check the file's permissions`);
}
