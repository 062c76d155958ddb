import { WfdbFormatError } from './errors';
import { format212Offset, signalChecksum } from './format212';
import type { SignalSpec } from './header';

/**
 * Checks decoded samples against the first value and checksum their header states.
 * `positionInFile` is the signal's place among the signals interleaved in the same file.
 */
export function verifySignal(samples: Int16Array, spec: SignalSpec, positionInFile: number, file: string): void {
  if (spec.firstValue !== null && samples.length > 0 && samples[0] !== spec.firstValue) {
    throw new WfdbFormatError(
      file,
      spec.byteOffset + format212Offset(positionInFile),
      `signal "${spec.description}" starts with ${samples[0]} but its header says ${spec.firstValue}`,
    );
  }
  if (spec.checksum !== null) {
    const sum = signalChecksum(samples);
    if (sum !== spec.checksum) {
      throw new WfdbFormatError(
        file,
        null,
        `signal "${spec.description}" has checksum ${sum} but its header says ${spec.checksum} (some of its ${samples.length} samples are damaged)`,
      );
    }
  }
}
