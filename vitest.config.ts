import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // e2e tests fail when dist/ is older than src/ (they run the built CLI).
    setupFiles: ['test/helpers/dist-fresh.ts'],
    // The real-captures pipeline runs once per test run; report and pipeline e2e tests share it.
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
})
