import type { NatsConnection } from 'nats';
import { UserError, resolveDataDir } from '@dcl-enas/common';
import { ContractError, TOKEN_PATTERN, TrialRequest, decode, type TrialOutcome } from '@dcl-enas/contracts';
import { ConfigError, EventLog, checkedOutcome, connectNats, createLogger, ensureJetStream, natsNotReachable, trainerConfig, type Logger } from '@dcl-enas/cluster';
import { trialTrainer } from '../trial-trainer';
import { JOB_EXIT } from './exit-codes';
import { writeTerminationMessage } from './termination-log';

/**
 * The trainer as a Kubernetes Job (one per trial, created by libs/k8s-launcher): its trial
 * request comes in ENAS_TRIAL_REQUEST (with the trial's token, so no other party can answer the
 * trial); it trains the trial and stores the result in the experiment's event log, the only thing
 * its NATS user may write. Returns the process exit code (exit-codes.ts); failures also go to the
 * termination log.
 */
export async function runTrialJob(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const terminationLog = env['ENAS_TERMINATION_LOG'];
  const fail = (code: number, message: string, logger?: Logger): number => {
    if (logger) logger.error({ exitCode: code }, message);
    else process.stderr.write(`${message}\n`);
    writeTerminationMessage(terminationLog, message);
    return code;
  };

  let config: ReturnType<typeof trainerConfig>;
  let experimentId: string;
  let index: number;
  let trial: TrialRequest;
  let connectTimeoutMs: number;
  try {
    config = trainerConfig(env);
    experimentId = env['ENAS_EXPERIMENT_ID'] ?? '';
    if (!TOKEN_PATTERN.test(experimentId)) throw new UserError(`ENAS_EXPERIMENT_ID="${experimentId}" is not an experiment id: the trial Job must set it`);
    index = Number(env['ENAS_TRIAL_ID']);
    if (!Number.isInteger(index) || index < 0) throw new UserError(`ENAS_TRIAL_ID="${env['ENAS_TRIAL_ID'] ?? ''}" is not a trial index: the trial Job must set it`);
    trial = trialFromEnv(env['ENAS_TRIAL_REQUEST'], experimentId, index);
    connectTimeoutMs = Number(env['ENAS_JOB_CONNECT_TIMEOUT_MS'] || '120000');
    if (!Number.isInteger(connectTimeoutMs) || connectTimeoutMs < 1) {
      throw new UserError(`ENAS_JOB_CONNECT_TIMEOUT_MS=${env['ENAS_JOB_CONNECT_TIMEOUT_MS']} is not a positive number of milliseconds: set it to e.g. 120000`);
    }
  } catch (error) {
    if (error instanceof UserError || error instanceof ConfigError || error instanceof ContractError) return fail(JOB_EXIT.BAD_TRIAL, error.message);
    throw error;
  }
  const attempt = Number(env['ENAS_TRIAL_ATTEMPT'] ?? '1') || 1;
  const logger = createLogger('trainer-job', config.logLevel).child({ experiment: experimentId, index, attempt });

  let nc: NatsConnection;
  try {
    // waits while NATS is out of reach; a server that refuses (credentials, TLS) fails at once
    nc = await withDeadline(connectNats(config.nats, 'enas-trainer-job', undefined, connectTimeoutMs), connectTimeoutMs + 1000);
  } catch (error) {
    if (natsNotReachable(error) || (error as Error).message === 'deadline') {
      return fail(JOB_EXIT.NATS_UNAVAILABLE, `NATS at ${config.nats.servers.join(',')} not reachable within ${connectTimeoutMs} ms (ENAS_JOB_CONNECT_TIMEOUT_MS)`, logger);
    }
    // retrying cannot help: the trial template's NATS settings need fixing
    const why = ((error as Error).message || String(error)).split('\n')[0]!.replace(/^'(.*)'$/, '$1');
    return fail(JOB_EXIT.BAD_TRIAL, `NATS at ${config.nats.servers.join(',')} refused the connection: ${why} (check the trial template's nats settings: user/password, nkeySeedSecret, tls)`, logger);
  }
  try {
    await ensureJetStream(nc, { replicas: config.jsReplicas, maxMessageBytes: config.maxMessageBytes });
    const log = await EventLog.open(nc, null);
    const trainer = `job:${env['ENAS_POD_NAME'] ?? env['HOSTNAME'] ?? 'unknown'}`;
    const base = { type: 'result' as const, index, key: trial.key, token: trial.token, trainer, attempt };
    let outcome: TrialOutcome;
    try {
      const dataDir = config.dataDir ?? resolveDataDir();
      const checked = checkedOutcome(await trialTrainer(() => dataDir, config.timeScale)(trial, () => undefined));
      if (typeof checked === 'string') throw new UserError(checked);
      outcome = checked;
    } catch (error) {
      if (!(error instanceof Error) || (error.name !== 'UserError' && error.name !== 'ContractError')) throw error;
      // A trial that cannot be trained is a result too: the search goes on without it.
      await log.append(experimentId, { ...base, outcome: null, error: error.message, at: new Date().toISOString() });
      return fail(JOB_EXIT.BAD_TRIAL, `trial ${index} cannot be trained: ${error.message}`, logger);
    }
    await log.append(experimentId, { ...base, outcome, at: new Date().toISOString() });
    logger.info({ valAcc: outcome.valAcc }, 'trial done');
    return JOB_EXIT.OK;
  } catch (error) {
    return fail(JOB_EXIT.FAILED, `trial ${index} of experiment ${experimentId} failed: ${(error as Error).message}`, logger);
  } finally {
    await nc.drain().catch(() => undefined);
  }
}

/** The trial request of ENAS_TRIAL_REQUEST, which must be the trial the Job's ids name. */
function trialFromEnv(json: string | undefined, experimentId: string, index: number): TrialRequest {
  if (!json) throw new UserError('ENAS_TRIAL_REQUEST is not set: the trial Job must carry its trial request (libs/k8s-launcher sets it)');
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new UserError('ENAS_TRIAL_REQUEST is not JSON: the trial Job must carry its trial request');
  }
  const trial = decode(TrialRequest, parsed, 'ENAS_TRIAL_REQUEST');
  if (trial.experimentId !== experimentId || trial.index !== index) throw new UserError(`ENAS_TRIAL_REQUEST is trial ${trial.index} of ${trial.experimentId}, not trial ${index} of ${experimentId}`);
  return trial;
}

function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('deadline')), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
