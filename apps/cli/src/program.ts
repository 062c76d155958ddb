import { Command, CommanderError } from 'commander';
import { UserError } from '@dcl-enas/common';
import { registerCommands } from './commands';

export function buildProgram(): Command {
  const program = new Command('enas')
    .description('DCL-ENAS: evolutionary neural architecture search guided by a dual-contrastive ranking predictor')
    .showHelpAfterError('(run "enas --help" for usage)')
    .exitOverride();
  registerCommands(program);
  for (const command of program.commands) {
    command.exitOverride();
    for (const sub of command.commands) sub.exitOverride();
  }
  return program;
}

/** Runs the CLI; bad input ends in one line on stderr and a non-zero exit, never a bare stack trace. */
export async function runCli(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2; // commander already printed its message
    if (e instanceof UserError) {
      process.stderr.write(`enas: ${e.message}\n`);
      return e.exitCode;
    }
    const err = e as Error;
    process.stderr.write(`enas: internal error: ${err.message} (set ENAS_DEBUG=1 for the stack trace; please report it)\n`);
    if (process.env['ENAS_DEBUG']) process.stderr.write(`${err.stack}\n`);
    return 70;
  }
}
