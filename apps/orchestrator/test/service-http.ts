import type { ServiceProcess } from './cluster-harness';

/** The HTTP port a service logged at start-up ("http listening"; tests start them with ENAS_HTTP_PORT=0). */
export function httpPort(service: ServiceProcess): number {
  const line = service.output.split('\n').find((l) => l.includes('"msg":"http listening"'));
  if (!line) throw new Error(`${service.name} did not log its HTTP port:\n${service.output.slice(-2000)}`);
  return (JSON.parse(line) as { port: number }).port;
}
