import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The images (docker/*.Dockerfile) install production dependencies only (`npm ci --omit=dev`), on
 * a Node.js that is still supported; so no source the services run may import a
 * devDependency (test files, test helpers and fakes excepted).
 */
const repoRoot = resolve(__dirname, '../..');
const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as Record<'dependencies' | 'devDependencies' | 'optionalDependencies', Record<string, string>>;
const dockerfiles = readdirSync(join(repoRoot, 'docker')).filter((f) => f.endsWith('.Dockerfile'));
/**
 * Files that only tests load: *.test.ts, test helpers, fakes, the launcher's test-support/, the
 * Kubernetes stand-ins (libs/k8s-testing) and anything under testing/ and test/ (the same files
 * eslint.config.mjs lets import the test-only projects).
 */
const TEST_ONLY = /(\.test\.ts|\.test-helper\.ts|\.browser\.ts)$|\/(testing|test|test-support|test-fixtures)\/|\/libs\/k8s-testing\/|\/(test-spaces|space-properties)\.ts$/;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : sources(path);
    return /\.(ts|cjs|mjs)$/.test(name) ? [path] : [];
  });
}

function importedPackages(text: string): string[] {
  const specifiers = [...text.matchAll(/(?:from\s+|require\(\s*|import\(\s*)['"]([^'"./][^'"]*)['"]/g)].map((m) => m[1]!);
  return specifiers.map((s) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]!)).filter((s) => !s.startsWith('node:') && !s.startsWith('@dcl-enas'));
}

describe('the images', () => {
  it.each(dockerfiles)('%s installs production dependencies only, on Node.js 22 or later', (file) => {
    const text = readFileSync(join(repoRoot, 'docker', file), 'utf8');
    const installs = [...text.matchAll(/npm ci[^\n]*/g)].map((m) => m[0]);
    expect(installs.length).toBeGreaterThan(0);
    for (const line of installs) expect(line).toContain('--omit=dev');
    const node = /ARG NODE_VERSION=(\d+)\./.exec(text);
    expect(Number(node?.[1])).toBeGreaterThanOrEqual(22);
  });

  it('no source the services run imports a devDependency', () => {
    const files = [...sources(join(repoRoot, 'apps')), ...sources(join(repoRoot, 'libs')), join(repoRoot, 'tools/register.cjs')].filter((f) => !TEST_ONLY.test(f));
    expect(files.length).toBeGreaterThan(100);
    const offenders: string[] = [];
    for (const file of files) {
      for (const name of importedPackages(readFileSync(file, 'utf8'))) {
        if (pkg.devDependencies[name] !== undefined) offenders.push(`${relative(repoRoot, file)}: ${name}`);
        else if (pkg.dependencies[name] === undefined && pkg.optionalDependencies[name] === undefined && !builtinModules.includes(name)) offenders.push(`${relative(repoRoot, file)}: ${name} (not a dependency)`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
