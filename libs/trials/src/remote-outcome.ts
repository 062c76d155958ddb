import { finishedTrialResult, lastResultLine, oneLine } from './protocol';
import { LOG_TAIL_LINES, type TrialRunOutcome } from './run-trial';

/** What a trial command that ran elsewhere (a Kubernetes Job's pod) left, as read back. */
export interface RemoteTrialOutput {
  /** Its exit code (a process killed by signal N: 128 + N, as container runtimes report it). */
  readonly exitCode: number;
  /** result.json as written; null when the trial wrote none. */
  readonly resultFile: string | null;
  /** The end of its output (stdout and stderr together, as a container log holds them). */
  readonly log: string;
  readonly seconds: number;
  /** Why it ended, where the runner knows more than the code (a pod's `OOMKilled`). */
  readonly exitReason?: string;
}

/** The outcome of such a trial, by the rules of a local run (runTrialCommand) on what it left. */
export function remoteRunOutcome(output: RemoteTrialOutput, metric: string): TrialRunOutcome {
  const logTail = output.log.split('\n').filter((line) => line !== '').slice(-LOG_TAIL_LINES);
  const outcome = (status: TrialRunOutcome['status'], reason: string | null, metrics: Readonly<Record<string, number>> = {}): TrialRunOutcome => ({
    status,
    metrics,
    intermediate: [],
    reason: reason === null ? null : oneLine(reason),
    logTail,
    seconds: output.seconds,
  });
  const why = output.exitReason && output.exitReason !== 'Error' && output.exitReason !== 'Completed' ? ` (${output.exitReason})` : '';
  if (output.exitCode !== 0) return outcome('failed', `exited with code ${output.exitCode}${why}${logTail.length > 0 ? `: ${logTail.at(-1)}` : ''}`);
  const check = finishedTrialResult(output.resultFile, lastResultLine(output.log), metric);
  return check.ok ? outcome('succeeded', null, check.metrics) : outcome('failed', check.reason);
}
