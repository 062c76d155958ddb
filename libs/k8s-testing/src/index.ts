// Kubernetes stand-ins for tests and benchmarks: never imported by code that ships (lint refuses
// it outside test files; see eslint.config.mjs).
export * from './test-namespace';
export * from './k8s-object';
export * from './standin-api-server';
export * from './pod-scripts';
export type { PolicyRule, RoleBindingSubject } from './standin-rbac';
export * from './process-kubelet';
export * from './shipped-nats';
export * from './orchestrator-process';
export * from './validate-object';
export * from './pod-policy';
