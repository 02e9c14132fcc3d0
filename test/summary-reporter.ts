import type { Reporter, TestModule } from 'vitest/node'

/**
 * Prints one closing line, "tests: N passed, N failed, N skipped", after vitest's own
 * summary, so a CI log states the counts in a plain, parseable form.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd (testModules: readonly TestModule[]): void {
    let passed = 0
    let failed = 0
    let skipped = 0
    for (const mod of testModules) {
      let failedHere = 0
      for (const test of mod.children.allTests()) {
        const state = test.result().state
        if (state === 'passed') passed++
        else if (state === 'failed') failedHere++
        else skipped++
      }
      // a file that failed outside its tests (import error, failing hook) counts as one failure
      if (mod.state() === 'failed' && failedHere === 0) failedHere = 1
      failed += failedHere
    }
    process.stdout.write(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`)
  }
}
