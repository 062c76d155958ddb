// Writes the trial-template part of helm/dcl-enas/values.schema.json (properties.trials and the
// fields of properties.gpu the trial template takes) from the orchestrator's own schemas, and
// nothing else of the file. Run after changing trialTemplateSchema or trialPolicySchema:
//   npm run -s tool -- tools/helm/sync-trial-template-schema.ts          (rewrite)
//   npm run -s tool -- tools/helm/sync-trial-template-schema.ts --check  (exit 1 when out of date)
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { syncTrialTemplateSchema } from '@dcl-enas/deploy-checks';

const file = join(__dirname, '..', '..', 'helm', 'dcl-enas', 'values.schema.json');
const before = readFileSync(file, 'utf8');
const after = `${JSON.stringify(syncTrialTemplateSchema(JSON.parse(before) as Record<string, unknown>), null, 2)}\n`;
if (process.argv.includes('--check')) {
  if (after !== before) {
    process.stderr.write(`${file} is out of date: run npm run -s tool -- tools/helm/sync-trial-template-schema.ts\n`);
    process.exit(1);
  }
} else if (after !== before) {
  writeFileSync(file, after);
  process.stdout.write(`${file}: trial-template part rewritten\n`);
} else {
  process.stdout.write(`${file}: already in sync\n`);
}
