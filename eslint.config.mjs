import nx from '@nx/eslint-plugin';

const transportAndFrameworks = [
  '@nestjs/*',
  'nats',
  '@nats-io/*',
  '@kubernetes/client-node',
  'express',
  'fastify',
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
            // Adapters (storage, NATS, Kubernetes) may use domain code and transports.
            { sourceTag: 'type:adapter', onlyDependOnLibsWithTags: ['type:domain', 'type:adapter'] },
            // Apps are thin shells over the libraries; no app imports another app.
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:domain', 'type:adapter'] },
          ],
        },
      ],
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
];
