import type { NatsConnection } from 'nats';
import { UserError } from '@dcl-enas/common';
import { ExperimentEvent, STREAMS, SUBJECTS, decode, type EcgSettings, type TrialOutcome, type TrialRequest } from '@dcl-enas/contracts';
import { decodeJson, type TrainFn } from '@dcl-enas/cluster';
import type { EcgSearchEvaluator } from '@dcl-enas/ecg-model';

/** What an ECG trial needs from its experiment besides itself. */
export interface EcgTrialContext {
  /** The spec's `ecg` field (records, hold-out, per-candidate training budget). */
  readonly settings: EcgSettings | undefined;
  /** Best valAcc among the experiment's results stored for earlier trials; null: none yet. */
  readonly bestValAcc: number | null;
}

/** Evaluators (loaded beat set, trained candidates) kept per distinct ECG settings. */
const KEEP_EVALUATORS = 2;

/**
 * Trains ECG trials for real, as `enas search --space ecg` does: the same evaluator
 * (@dcl-enas/ecg-model prepareEcgEvaluators), the same settings (ecgRunOptions of the spec's
 * `ecg` field), hold-out macro-F1 as valAcc (its mean over the folds with `folds` > 1, whose
 * folds this trainer trains one after the other). DS2 is scored, as embedded, only when the
 * candidate beats the best of the experiment's earlier trials (read from its event log). The
 * beat set and TensorFlow.js load on the first ECG trial, so tabular trainers start as fast as
 * before. Training is synchronous: ENAS_TRIAL_ACK_WAIT_MS must exceed the longest candidate.
 */
export function ecgTrainer(dataDir: () => string, context: (trial: TrialRequest) => Promise<EcgTrialContext>): TrainFn {
  const evaluators = new Map<string, Promise<EcgSearchEvaluator>>();
  const evaluatorFor = async (settings: EcgSettings | undefined): Promise<EcgSearchEvaluator> => {
    const { ecgRunOptions, prepareEcgEvaluators } = await import('@dcl-enas/ecg-model');
    const options = ecgRunOptions(settings);
    const id = JSON.stringify(options);
    let evaluator = evaluators.get(id);
    if (!evaluator) {
      evaluator = prepareEcgEvaluators({ dataDir: dataDir(), ...options }).then((make) => make());
      evaluator.catch(() => evaluators.delete(id));
      evaluators.set(id, evaluator);
      while (evaluators.size > KEEP_EVALUATORS) evaluators.delete(evaluators.keys().next().value!);
    }
    return evaluator;
  };
  return async (trial: TrialRequest, keepAlive: () => void): Promise<TrialOutcome> => {
    const { settings, bestValAcc } = await context(trial);
    const evaluator = await evaluatorFor(settings);
    keepAlive();
    const arch = evaluator.space.parse(trial.arch);
    if (evaluator.space.key(arch) !== trial.key) throw new UserError(`trial ${trial.index}: key ${trial.key} is not the key of ${trial.arch} (${evaluator.space.key(arch)})`);
    const r = evaluator.queryAfter(arch, trial.dataset, bestValAcc);
    return { valAcc: r.valAcc, testAcc: r.testAcc, trainSeconds: r.trainSeconds };
  };
}

/**
 * Reads an ECG trial's context from its experiment's event log: the `created` event (the spec)
 * and the last stored result of every earlier trial. Only message reads by subject, which the
 * trainer's NATS user may already do (libs/cluster nats-permissions).
 */
export async function ecgTrialContextFromLog(nc: NatsConnection, trial: TrialRequest): Promise<EcgTrialContext> {
  const jsm = await nc.jetstreamManager();
  const last = async (subject: string): Promise<ExperimentEvent | null> => {
    try {
      const m = await jsm.streams.getMessage(STREAMS.events, { last_by_subj: subject });
      return decode(ExperimentEvent, decodeJson(m.data), `event ${subject}`);
    } catch (e) {
      if (/no message found|404/i.test((e as Error).message)) return null;
      throw e;
    }
  };
  const created = await last(SUBJECTS.eventCreated(trial.experimentId));
  if (created?.type !== 'created') throw new UserError(`experiment ${trial.experimentId} has no created event in ${STREAMS.events}: its ECG settings are unknown`);
  let bestValAcc: number | null = null;
  for (let from = 0; from < trial.index; from += 64) {
    const indices = Array.from({ length: Math.min(64, trial.index - from) }, (_, k) => from + k);
    for (const e of await Promise.all(indices.map((i) => last(SUBJECTS.eventResult(trial.experimentId, i))))) {
      if (e?.type === 'result' && e.outcome) bestValAcc = bestValAcc === null ? e.outcome.valAcc : Math.max(bestValAcc, e.outcome.valAcc);
    }
  }
  return { settings: created.spec.ecg, bestValAcc };
}
