import { mergeConfig } from 'vitest/config';
import { projectTestConfig } from '../../vitest.shared.mts';

// Each test file runs a whole cluster of processes: one file at a time on a small machine.
export default mergeConfig(projectTestConfig(180_000), { test: { fileParallelism: false } });
