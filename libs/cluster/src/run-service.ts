import { UserError } from '@dcl-enas/common';

/**
 * Entry point of a service process: a configuration or usage problem ends in its lines on
 * stderr and exit code 2; anything else is logged with its stack and exits 1.
 */
export function runService(name: string, start: () => Promise<void>): void {
  start().catch((e: unknown) => {
    if (e instanceof UserError) {
      process.stderr.write(`enas ${name}: ${e.message}\n`);
      process.exit(e.exitCode);
    }
    process.stderr.write(`enas ${name}: failed to start: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  });
}
