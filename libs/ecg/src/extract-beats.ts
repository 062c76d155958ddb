import { UserError } from '@dcl-enas/common';
import type { WfdbRecord } from '@dcl-enas/wfdb';
import { AAMI_CLASS_COUNT, aamiLabelOf } from './aami';
import { findLead } from './lead';
import { removeBaseline } from './median-filter';
import { rrFeatures, RR_FEATURE_COUNT } from './rr-features';
import { windowLength, type WindowConfig } from './window-config';

/** The beats of one record before per-beat scaling: windows in ADC units above the baseline. */
export interface RecordBeats {
  readonly record: number;
  readonly windows: Int16Array;
  readonly labels: Uint8Array;
  readonly samples: Int32Array;
  readonly rr: Float32Array;
  /** ADC units per mV of the lead used. */
  readonly gain: number;
  /** AAMI beats annotated in the record, per class (before any are dropped). */
  readonly annotated: readonly number[];
  /** Beats whose window would run past either end of the signal, left out. */
  readonly dropped: number;
}

/**
 * Cuts a window around every AAMI beat annotation of a record's `config.lead` signal. RR
 * features use all beats, including those dropped at the edges, as neighbours.
 */
export function extractRecordBeats(record: WfdbRecord, recordId: number, config: WindowConfig): RecordBeats {
  const { header } = record;
  if (!record.annotations) throw new UserError(`record ${header.record} was read without annotations; read it with its .atr file`);
  const lead = findLead(header, config.lead);
  const spec = header.signals[lead];
  const raw = record.signals[lead];
  const signal = config.baselineMs ? removeBaseline(raw, header.samplingFrequency, config.baselineMs[0], config.baselineMs[1]) : minus(raw, spec.baseline);

  const beatSamples: number[] = [];
  const beatLabels: number[] = [];
  for (const a of record.annotations) {
    const label = aamiLabelOf(a.symbol);
    if (label >= 0) {
      beatSamples.push(a.sample);
      beatLabels.push(label);
    }
  }
  const rrAll = rrFeatures(beatSamples, header.samplingFrequency);
  const annotated = new Array<number>(AAMI_CLASS_COUNT).fill(0);
  for (const l of beatLabels) annotated[l]++;

  const L = windowLength(config);
  const kept: number[] = [];
  for (let i = 0; i < beatSamples.length; i++) {
    const start = beatSamples[i] - config.before;
    if (start >= 0 && start + L <= signal.length) kept.push(i);
  }
  const windows = new Int16Array(kept.length * L);
  const labels = new Uint8Array(kept.length);
  const samples = new Int32Array(kept.length);
  const rr = new Float32Array(kept.length * RR_FEATURE_COUNT);
  kept.forEach((i, k) => {
    const start = beatSamples[i] - config.before;
    windows.set(signal.subarray(start, start + L), k * L);
    labels[k] = beatLabels[i];
    samples[k] = beatSamples[i];
    rr.set(rrAll.subarray(i * RR_FEATURE_COUNT, (i + 1) * RR_FEATURE_COUNT), k * RR_FEATURE_COUNT);
  });
  return { record: recordId, windows, labels, samples, rr, gain: spec.gain, annotated, dropped: beatSamples.length - kept.length };
}

function minus(signal: Int16Array, baseline: number): Int16Array {
  const out = new Int16Array(signal.length);
  for (let i = 0; i < signal.length; i++) out[i] = signal[i] - baseline;
  return out;
}
