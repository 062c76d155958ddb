// The stand-in Kubernetes API server in its own process, for tools/bench/launcher.ts: the
// launcher's process then spends its CPU on the launcher alone. Prints its URL on the IPC
// channel, answers "stats" with its counters, exits on "close".
import { KubeApiStandin } from '@dcl-enas/k8s-testing';

const runMs = Number(process.argv[2] ?? '20');

void (async () => {
  const standin = await KubeApiStandin.start({ podBehaviour: () => ({ kind: 'succeed', startMs: 2, runMs }) });
  process.on('message', (message: string) => {
    if (message === 'stats') process.send!({ stats: standin.stats });
    if (message === 'close') void standin.close().then(() => process.exit(0));
  });
  process.send!({ url: standin.url });
})();
