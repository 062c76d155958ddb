import { writeFileSync } from 'node:fs';

/** Kubernetes keeps at most 4096 bytes of a container's termination message. */
const LIMIT = 4096;

/**
 * Writes why the trial failed where Kubernetes reads it (the container's terminationMessagePath,
 * /dev/termination-log), so `enas status` and `kubectl describe` show it. Best effort: outside
 * a pod the path may not be writable, and the message is on stderr anyway.
 */
export function writeTerminationMessage(path: string | undefined, message: string): void {
  if (!path) return;
  const bytes = Buffer.from(message, 'utf8');
  const text = bytes.length <= LIMIT ? message : bytes.subarray(0, LIMIT - 3).toString('utf8') + '...';
  try {
    writeFileSync(path, text);
  } catch {
    // Not in a pod (or no such path): stderr has the message.
  }
}
