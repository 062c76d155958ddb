import { SingleBar, Presets } from 'cli-progress';

const noop = (): void => undefined;

/** A progress bar on stderr when it is a terminal; silent otherwise (stdout stays clean for --json). */
export function progressBar(total: number, label: string): { tick(): void; stop(): void } {
  if (!process.stderr.isTTY) return { tick: noop, stop: noop };
  const bar = new SingleBar(
    { stream: process.stderr, format: `${label} [{bar}] {value}/{total} {duration_formatted}`, hideCursor: true, clearOnComplete: true },
    Presets.shades_classic,
  );
  bar.start(total, 0);
  return { tick: () => bar.increment(), stop: () => bar.stop() };
}
