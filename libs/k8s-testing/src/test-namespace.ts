/** The namespace the tests run their launcher, stand-in kubelet and orchestrator in. */
export const TEST_NAMESPACE = 'enas-test';
