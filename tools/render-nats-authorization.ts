// Writes the `authorization` block that libs/cluster natsAuthorizationConf generates into the
// shipped NATS configs (k8s/base/nats.yaml, the chart's templates/nats.yaml), in place; run it
// after changing the services' permissions (a test keeps the files equal to the generator):
//   npm run -s tool -- tools/render-nats-authorization.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { natsAuthorizationConf } from '@dcl-enas/cluster';

const root = join(__dirname, '..');
const conf = natsAuthorizationConf((service) => `$NATS_${service.toUpperCase()}_PASSWORD`);

for (const file of ['k8s/base/nats.yaml', 'helm/dcl-enas/templates/nats.yaml']) {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  const start = lines.findIndex((l) => /^\s*authorization \{$/.test(l));
  if (start < 0) throw new Error(`${file}: no "authorization {" line`);
  const indent = lines[start]!.match(/^\s*/)![0];
  const end = lines.findIndex((l, i) => i > start && l === `${indent}}`);
  if (end < 0) throw new Error(`${file}: the authorization block does not end`);
  const block = conf.trimEnd().split('\n').map((l) => (l ? indent + l : l));
  lines.splice(start, end - start + 1, ...block);
  writeFileSync(join(root, file), lines.join('\n'));
  console.log(`${file}: authorization block written (${block.length} lines)`);
}
