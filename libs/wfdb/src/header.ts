import { WfdbFormatError } from './errors';

/** One signal line of a WFDB header. */
export interface SignalSpec {
  /** Signal file holding this signal's samples (e.g. "100.dat"). */
  readonly fileName: string;
  /** Storage format (212 is the only one decoded here). */
  readonly format: number;
  readonly samplesPerFrame: number;
  readonly skew: number;
  /** Bytes to skip at the start of the signal file. */
  readonly byteOffset: number;
  /** ADC units per physical unit (adu/mV for ECG). */
  readonly gain: number;
  /** Sample value that corresponds to 0 physical units. */
  readonly baseline: number;
  readonly units: string;
  readonly adcResolution: number;
  readonly adcZero: number;
  /** Value of the first sample, when the header states it. */
  readonly firstValue: number | null;
  /** Sum of all samples mod 2^16 read as int16, when the header states it. */
  readonly checksum: number | null;
  readonly blockSize: number;
  /** Lead name or other description (may contain spaces). */
  readonly description: string;
  /** Byte offset of this signal line in the header file. */
  readonly lineOffset: number;
}

export interface WfdbHeader {
  /** Name of the header file as given to the parser (used in error messages). */
  readonly file: string;
  readonly record: string;
  readonly samplingFrequency: number;
  /** Samples per signal, or null when the header leaves it out. */
  readonly nSamples: number | null;
  readonly baseTime: string | null;
  readonly baseDate: string | null;
  readonly signals: readonly SignalSpec[];
  /** Comment lines without the leading '#' and surrounding blanks. */
  readonly comments: readonly string[];
  readonly lineEnding: 'CRLF' | 'LF' | 'mixed' | 'none';
}

// WFDB defaults (signal(5)): 250 Hz, 200 adu per physical unit, mV.
const DEFAULT_FS = 250;
const DEFAULT_GAIN = 200;
const DEFAULT_UNITS = 'mV';
const INT16_MIN = -32768;
const INT16_MAX = 32767;
/** More signals than any WFDB record holds (MIT-BIH has 2); a larger count is a damaged header. */
const MAX_SIGNALS = 4096;

interface Line {
  readonly text: string;
  readonly offset: number;
}

interface Token {
  readonly text: string;
  readonly offset: number;
}

/**
 * Parses a WFDB header (`.hea`). Accepts LF and CRLF line endings, comment lines anywhere, and
 * blank lines. Latin-1 decoding of a Buffer keeps character offsets equal to byte offsets, so
 * errors can name the byte where a field is bad.
 */
export function parseHeader(content: Buffer | string, file: string): WfdbHeader {
  const text = typeof content === 'string' ? content : content.toString('latin1');
  const { lines, lineEnding } = splitLines(text);
  const comments: string[] = [];
  const specLines: Line[] = [];
  for (const line of lines) {
    const trimmed = line.text.trim();
    if (trimmed.startsWith('#')) comments.push(trimmed.slice(1).trim());
    else if (trimmed !== '') specLines.push(line);
  }
  if (specLines.length === 0) throw new WfdbFormatError(file, text.length, 'no record line found (the header is empty or holds only comments)');

  const recordLine = specLines[0];
  const recordTokens = tokenize(recordLine);
  const [nameToken, nsigToken, fsToken, nsampToken, timeToken, dateToken] = recordTokens;
  if (nameToken.text.includes('/')) {
    throw new WfdbFormatError(file, nameToken.offset, `multi-segment record "${nameToken.text}" is not supported (only single-segment records are read)`);
  }
  if (!nsigToken) throw new WfdbFormatError(file, recordLine.offset + recordLine.text.length, 'record line ends before the number of signals');
  const nSignals = parseInteger(nsigToken, file, 'number of signals', 0, MAX_SIGNALS);
  const samplingFrequency = fsToken ? parseFrequency(fsToken, file) : DEFAULT_FS;
  const nSamples = nsampToken ? parseInteger(nsampToken, file, 'number of samples', 0) : null;

  const signalLines = specLines.slice(1);
  if (signalLines.length < nSignals) {
    throw new WfdbFormatError(file, text.length, `the record line announces ${nSignals} signals but only ${signalLines.length} signal line(s) follow (truncated header?)`);
  }
  if (signalLines.length > nSignals) {
    const extra = signalLines[nSignals];
    throw new WfdbFormatError(file, extra.offset, `unexpected line "${extra.text.trim()}" after the ${nSignals} signal line(s) (comment lines must start with '#')`);
  }
  const signals = signalLines.map((line, i) => parseSignalLine(line, file, nameToken.text, i));

  return {
    file,
    record: nameToken.text,
    samplingFrequency,
    nSamples: nSamples === 0 ? null : nSamples,
    baseTime: timeToken?.text ?? null,
    baseDate: dateToken?.text ?? null,
    signals,
    comments,
    lineEnding,
  };
}

function splitLines(text: string): { lines: Line[]; lineEnding: WfdbHeader['lineEnding'] } {
  const lines: Line[] = [];
  let crlf = 0;
  let lf = 0;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const hasCr = end > start && text.charCodeAt(end - 1) === 13;
    if (end < text.length) {
      if (hasCr) crlf++;
      else lf++;
    }
    lines.push({ text: text.slice(start, hasCr ? end - 1 : end), offset: start });
    start = end + 1;
  }
  const lineEnding = crlf > 0 && lf > 0 ? 'mixed' : crlf > 0 ? 'CRLF' : lf > 0 ? 'LF' : 'none';
  return { lines, lineEnding };
}

function tokenize(line: Line): Token[] {
  return [...line.text.matchAll(/\S+/g)].map((m) => ({ text: m[0], offset: line.offset + (m.index ?? 0) }));
}

function parseSignalLine(line: Line, file: string, record: string, index: number): SignalSpec {
  const tokens = tokenize(line);
  const [fileToken, formatToken, gainToken, resToken, zeroToken, firstToken, sumToken, blockToken] = tokens;
  if (!formatToken) throw new WfdbFormatError(file, line.offset + line.text.length, `signal line ${index} ends before its format field`);

  const fmt = /^(\d+)(?:x(\d+))?(?::(\d+))?(?:\+(\d+))?$/.exec(formatToken.text);
  if (!fmt) throw new WfdbFormatError(file, formatToken.offset, `signal ${index} has a malformed format field "${formatToken.text}"`);

  let gain = DEFAULT_GAIN;
  let baseline: number | null = null;
  let units = DEFAULT_UNITS;
  if (gainToken) {
    const g = /^([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)(?:\(([-+]?\d+)\))?(?:\/(\S+))?$/.exec(gainToken.text);
    if (!g) throw new WfdbFormatError(file, gainToken.offset, `signal ${index} has a malformed gain field "${gainToken.text}"`);
    const value = Number(g[1]);
    if (!Number.isFinite(value)) throw new WfdbFormatError(file, gainToken.offset, `signal ${index} has gain "${g[1]}", not a finite number`);
    gain = value === 0 ? DEFAULT_GAIN : value;
    if (g[2] !== undefined) baseline = parseInteger({ text: g[2], offset: gainToken.offset + g[1].length + 1 }, file, 'baseline', INT16_MIN, INT16_MAX);
    if (g[3] !== undefined) units = g[3];
  }
  const formatPart = (text: string, what: string): number => parseInteger({ text, offset: formatToken.offset }, file, `signal ${index} ${what}`, 0);
  const format = formatPart(fmt[1], 'format');
  const adcResolution = resToken ? parseInteger(resToken, file, 'ADC resolution', 0, 32) : format === 212 ? 12 : 0;
  // Samples are read into 16-bit integers, so every value stated in ADC units must fit one.
  const adcZero = zeroToken ? parseInteger(zeroToken, file, 'ADC zero', INT16_MIN, INT16_MAX) : 0;
  const firstValue = firstToken ? parseInteger(firstToken, file, 'first value', INT16_MIN, INT16_MAX) : null;
  const checksum = sumToken ? parseInteger(sumToken, file, 'checksum', INT16_MIN, INT16_MAX) : null;
  const blockSize = blockToken ? parseInteger(blockToken, file, 'block size', 0) : 0;
  const description = tokens.length > 8 ? line.text.slice(tokens[8].offset - line.offset).trimEnd() : `record ${record}, signal ${index}`;

  return {
    fileName: fileToken.text,
    format,
    samplesPerFrame: fmt[2] === undefined ? 1 : formatPart(fmt[2], 'samples per frame'),
    skew: fmt[3] === undefined ? 0 : formatPart(fmt[3], 'skew'),
    byteOffset: fmt[4] === undefined ? 0 : formatPart(fmt[4], 'byte offset'),
    gain,
    baseline: baseline ?? adcZero,
    units,
    adcResolution,
    adcZero,
    firstValue,
    checksum,
    blockSize,
    description,
    lineOffset: line.offset,
  };
}

function parseInteger(token: Token, file: string, what: string, min = -Number.MAX_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^[-+]?\d+$/.test(token.text)) throw new WfdbFormatError(file, token.offset, `${what} "${token.text}" is not an integer`);
  const value = Number(token.text);
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    const range = min <= -Number.MAX_SAFE_INTEGER ? 'the safe integer range' : max >= Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`;
    throw new WfdbFormatError(file, token.offset, `${what} ${token.text} is out of range (must be ${range})`);
  }
  return value;
}

function parseFrequency(token: Token, file: string): number {
  const m = /^((?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)(?:\/[^(\s]+(?:\([^)]*\))?)?$/.exec(token.text);
  const fs = m ? Number(m[1]) : NaN;
  if (!(fs > 0 && fs < Infinity)) throw new WfdbFormatError(file, token.offset, `sampling frequency "${token.text}" is not a positive number`);
  return fs;
}
