// Entry of the trainer in job mode: the command of every trial Job (libs/k8s-launcher,
// DEFAULT_TRAINER_COMMAND). Exit codes: exit-codes.ts.
import { runTrialJob } from './run-trial-job';

runTrialJob(process.env).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`trainer job crashed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
