import { Command, CommanderError } from 'commander';
import { UserError } from '@dcl-enas/common';
import { registerCommands } from './commands';

export function buildProgram(): Command {
  const program = new Command('enas').description('DCL-ENAS: evolutionary neural architecture search guided by a dual-contrastive ranking predictor');
  registerCommands(program);
  oneLineErrors(program);
  return program;
}

/** Commander's usage errors as one line (its "Did you mean" hint joined on), with where to find the usage. */
function oneLineErrors(command: Command): void {
  const path: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) path.unshift(c.name());
  command.exitOverride().configureOutput({
    outputError: (message, write) => write(`enas: ${oneLine(message.trim().replace(/^error: /, '').replace(/\s*\n\s*/g, ' '))} (run "${path.join(' ')} --help" for usage)\n`),
  });
  for (const sub of command.commands) oneLineErrors(sub);
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
      process.stderr.write(`enas: ${oneLine(e.message)}\n`);
      return e.exitCode;
    }
    const err = e as Error;
    process.stderr.write(`enas: internal error: ${oneLine(err.message)} (set ENAS_DEBUG=1 for the stack trace; please report it)\n`);
    if (process.env['ENAS_DEBUG']) process.stderr.write(`${err.stack}\n`);
    return 70;
  }
}

/**
 * Messages quote what the user typed, which can hold line breaks or terminal escapes (escaped,
 * so a message stays one line) or be huge (the middle left out, the problem and fix kept).
 */
function oneLine(text: string): string {
  const short = text.length > 2000 ? `${text.slice(0, 1000)} ... ${text.slice(-800)}` : text;
  // eslint-disable-next-line no-control-regex
  return short.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
