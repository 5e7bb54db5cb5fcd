import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    // Two files at a time: each spends most of its time waiting on DynamoDB Local, the local servers
    // and the browser, so two share a 2-core machine well (the default, cores - 1, runs them one by one).
    maxWorkers: 2,
    // Integration tests boot the local runtime (a synth, stand-ins, servers) once per file.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    globalSetup: ['test/global-setup.ts'],
    setupFiles: ['test/setup.ts'],
  },
});
