import type { Command } from 'commander';
import { registerSearch } from './search';
import { registerBench } from './bench';
import { registerData } from './data';

/** Every `enas` command; each file registers one. */
export function registerCommands(program: Command): void {
  registerSearch(program);
  registerBench(program);
  registerData(program);
}
