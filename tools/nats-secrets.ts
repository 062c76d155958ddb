// The NATS Secrets of a DCL-ENAS install, with random passwords (docs/security.md, "Hashed
// passwords on the NATS server"):
//   dcl-enas-nats         keys <service>-password: the plain passwords, each read by its service
//   dcl-enas-nats-server  keys <service>-password: their bcrypt hashes, read by the NATS server only
//                         (chart value nats.serverAuthSecret), quoted as nats-server needs them
// Prints both as YAML on stdout, for kubectl; nothing else is written anywhere:
//   npm run -s tool -- tools/nats-secrets.ts --namespace dcl-enas | kubectl apply -f -
// Hashing the passwords of an existing dcl-enas-nats instead (prints the server Secret only):
//   kubectl -n dcl-enas get secret dcl-enas-nats -o json | npm run -s tool -- tools/nats-secrets.ts --namespace dcl-enas --hash-existing - | kubectl apply -f -
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hashSync } from 'bcryptjs';
import { stringify } from 'yaml';
import { SERVICE_NAMES, natsPasswordHashValue } from '@dcl-enas/cluster';

const usage = 'usage: npm run -s tool -- tools/nats-secrets.ts [--namespace NS] [--secret dcl-enas-nats] [--server-secret dcl-enas-nats-server] [--cost 11] [--hash-existing SECRET.json|-]';
const flags = new Map<string, string>();
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i += 2) {
  const [flag, value] = [args[i]!, args[i + 1]];
  if (!['--namespace', '--secret', '--server-secret', '--cost', '--hash-existing'].includes(flag) || value === undefined) {
    console.error(`${flag === '--help' ? '' : `unknown or incomplete option ${flag}\n`}${usage}`);
    process.exit(flag === '--help' ? 0 : 2);
  }
  flags.set(flag, value);
}
const cost = Number(flags.get('--cost') ?? '11');
if (!Number.isInteger(cost) || cost < 10 || cost > 15) {
  console.error(`--cost ${flags.get('--cost')}: use a bcrypt cost from 10 to 15 (each step doubles the time a login takes)\n${usage}`);
  process.exit(2);
}
const namespace = flags.get('--namespace');
const secret = (name: string, data: Record<string, string>) => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name, ...(namespace ? { namespace } : {}) },
  type: 'Opaque',
  stringData: data,
});
const existing = flags.get('--hash-existing');
let existingData: Record<string, string> | undefined;
const passwords = SERVICE_NAMES.map((service) => [`${service}-password`, existing === undefined ? randomBytes(24).toString('hex') : existingPassword(`${service}-password`)] as const);
const hashed = secret(flags.get('--server-secret') ?? 'dcl-enas-nats-server', Object.fromEntries(passwords.map(([key, password]) => [key, natsPasswordHashValue(hashSync(password, cost))])));
const documents = existing === undefined ? [secret(flags.get('--secret') ?? 'dcl-enas-nats', Object.fromEntries(passwords)), hashed] : [hashed];

/** A password of the Secret given to --hash-existing (kubectl get secret -o json: base64 data), read once. */
function existingPassword(key: string): string {
  try {
    existingData ??= (JSON.parse(readFileSync(existing === '-' ? 0 : existing!, 'utf8')) as { data?: Record<string, string> }).data ?? {};
  } catch (e) {
    console.error(`--hash-existing ${existing}: not a Secret as JSON (${(e as Error).message.split('\n')[0]}): use kubectl get secret NAME -o json\n${usage}`);
    process.exit(2);
  }
  const value = existingData[key];
  if (value === undefined) {
    console.error(`--hash-existing ${existing}: the Secret has no key ${key}`);
    process.exit(2);
  }
  return Buffer.from(value, 'base64').toString('utf8');
}
process.stdout.write(documents.map((d) => stringify(d)).join('---\n'));
