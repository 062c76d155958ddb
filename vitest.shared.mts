import { defineConfig } from 'vitest/config';
import tsconfigPaths from 'vite-tsconfig-paths';
import { fileURLToPath } from 'node:url';
import { dirname } from 'node:path';

const workspaceRoot = dirname(fileURLToPath(import.meta.url));

/** One test runner for every project: each project's vitest.config.mts calls this. */
export function projectTestConfig(testTimeoutMs = 60_000) {
  return defineConfig({
    plugins: [tsconfigPaths({ root: workspaceRoot, projects: ['tsconfig.base.json'] })],
    test: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      environment: 'node',
      testTimeout: testTimeoutMs,
      hookTimeout: testTimeoutMs,
      pool: 'forks',
      reporters: ['default'],
    },
  });
}
