import type { Reporter, TestModule } from 'vitest/node';

/**
 * Ends the run with the plain "N passed, N failed, N skipped" line that CI reads in any
 * language; Vitest's own summary stays above it.
 */
export default class PlainSummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const counts = { passed: 0, failed: 0, skipped: 0, pending: 0 };
    for (const module of testModules) {
      for (const test of module.children.allTests()) counts[test.result().state] += 1;
    }
    const failedModules = testModules.filter(
      (module) => module.state() === 'failed' && [...module.children.allTests()].length === 0,
    ).length;
    process.stdout.write(
      `\n${counts.passed} passed, ${counts.failed + failedModules} failed, ${counts.skipped + counts.pending} skipped\n`,
    );
  }
}
