// The launcher's own test helpers (a launcher wired to the stand-in, templates, arbitraries, the
// Job runner for the trial conformance suite), for tests in other projects
// (`@dcl-enas/k8s-launcher/testing`); not part of the library's public entry (src/index.ts).
export * from './harness';
export * from './job-trial-runner';
export * from './template-arbitraries';
