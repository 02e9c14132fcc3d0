import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration and e2e tests start real libp2p nodes and processes; two cores
    // is the CI machine, so keep file-level parallelism modest.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default', './test/summary-reporter.ts'],
    // nodes embed with the lexical embedder unless a test names another (the neural model's
    // tests set OA_EMBEDDER or memory.embedder); OA_EMBEDDER=auto npm test runs all on the model
    env: { OA_EMBEDDER: process.env.OA_EMBEDDER ?? 'lexical' }
  }
})
