import nx from '@nx/eslint-plugin';

const transportAndFrameworks = [
  '@nestjs/*',
  'nats',
  '@nats-io/*',
  '@kubernetes/client-node',
  'express',
  'fastify',
];

/**
 * Projects and entries only tests use: the Kubernetes stand-ins, the deployment checks, and the
 * test helpers the launcher and the trial protocol expose to other projects' tests.
 */
const testOnlyImports = ['@dcl-enas/k8s-testing', '@dcl-enas/deploy-checks', '@dcl-enas/k8s-launcher/testing', '@dcl-enas/trials/testing'];

/**
 * Files that only tests load (deploy-checks/src/images.test.ts keeps the same list): test files,
 * test helpers, fakes, the launcher's test-support/, the stand-ins themselves.
 */
const testOnlyFiles = [
  '**/*.test.ts',
  '**/*.test-helper.ts',
  '**/*.browser.ts',
  '**/testing/**',
  '**/test/**',
  '**/test-support/**',
  '**/test-fixtures/**',
  'libs/k8s-testing/**',
  '**/test-spaces.ts',
  '**/space-properties.ts',
];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    ignores: ['**/node_modules', '**/dist', '**/tmp', '**/*.config.mts', 'vitest.shared.mts', 'docs/**'],
  },
  {
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            // Domain libraries: pure logic, no transport, no framework, no app.
            {
              sourceTag: 'type:domain',
              onlyDependOnLibsWithTags: ['type:domain'],
              bannedExternalImports: transportAndFrameworks,
            },
            // Adapters (storage, NATS, Kubernetes) may use domain code and transports. Adapters
            // and apps may use the test stand-ins (type:testing) in their tests only: the
            // no-restricted-imports block below keeps them out of the files that ship.
            { sourceTag: 'type:adapter', onlyDependOnLibsWithTags: ['type:domain', 'type:adapter', 'type:testing'] },
            // Apps are thin shells over the libraries; no app imports another app.
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:domain', 'type:adapter', 'type:testing'] },
            // Test stand-ins (libs/k8s-testing): on domain and adapter code, never on an app or a tool.
            { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:domain', 'type:adapter', 'type:testing'] },
            // Checks of the deployment artefacts (deploy-checks/): nothing depends on them but tools/.
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:domain', 'type:adapter', 'type:testing'] },
          ],
        },
      ],
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // Nx's constraints hold per project, so a library's tests and its shipped code share one tag:
  // this keeps the test-only projects out of every file of libs/ and apps/ that ships.
  {
    files: ['libs/**/*.ts', 'apps/**/*.ts'],
    ignores: testOnlyFiles,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: testOnlyImports.map((name) => ({ name, message: `${name} is for tests only: code that ships must not import it (eslint.config.mjs).` })),
          patterns: [{ group: testOnlyImports.map((name) => `${name}/*`), message: 'test-only projects are for tests only: code that ships must not import them (eslint.config.mjs).' }],
        },
      ],
    },
  },
];
