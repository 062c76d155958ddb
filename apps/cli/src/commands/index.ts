import type { Command } from 'commander';
import { registerSearch } from './search';
import { registerBench } from './bench';
import { registerData } from './data';
import { registerServe } from './serve';
import { registerSubmit } from './submit';
import { registerStatus } from './status';
import { registerWatch } from './watch';
import { registerStop } from './stop';
import { registerPredictorEval } from './predictor-eval';
import { registerSpace } from './space';

/** Every `enas` command; each file registers one. */
export function registerCommands(program: Command): void {
  registerSearch(program);
  registerBench(program);
  registerData(program);
  registerServe(program);
  registerSubmit(program);
  registerStatus(program);
  registerWatch(program);
  registerStop(program);
  registerPredictorEval(program);
  registerSpace(program);
}
