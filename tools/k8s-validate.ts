// Validates Kubernetes YAML (files, or stdin with "-") against the Kubernetes schemas, unknown
// fields included, and the pod security rules the manifests keep. Used by tools/k8s-check.sh
// on `kubectl kustomize` and `helm template` output.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { k8sObjectProblems, podSecurityProblems, podTemplates, type K8sObject } from '@dcl-enas/k8s-testing';

const sources = process.argv.slice(2);
if (sources.length === 0) {
  console.error('usage: npm run -s tool -- tools/k8s-validate.ts FILE.yaml|- ...');
  process.exit(2);
}
let failed = false;
for (const source of sources) {
  const text = readFileSync(source === '-' ? 0 : source, 'utf8');
  const objects = parseAllDocuments(text)
    .map((document) => document.toJS() as K8sObject | null)
    .filter((object): object is K8sObject => object !== null);
  const problems = [
    ...objects.flatMap((object) => k8sObjectProblems(object).map((p) => `${p.object}: ${p.problem}`)),
    ...podTemplates(objects).flatMap(({ owner, spec }) => podSecurityProblems(owner, spec)),
  ];
  const name = source === '-' ? 'stdin' : source;
  if (problems.length > 0) {
    failed = true;
    console.error(`${name}: ${problems.length} problem(s)\n${problems.map((p) => `  ${p}`).join('\n')}`);
  } else {
    console.log(`${name}: ${objects.length} objects valid`);
  }
}
process.exit(failed ? 1 : 0);
