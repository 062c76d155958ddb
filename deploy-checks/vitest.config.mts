import { projectTestConfig } from '../vitest.shared.mts';

export default projectTestConfig();
