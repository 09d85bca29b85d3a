import type { Reporter, TestModule, TestRunEndReason } from 'vitest/node';
import { categorySkipReason } from './skips.js';

interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

/**
 * Prints per-category counts, a loud line for every category skipped for lack of a service,
 * and finally the plain `N passed, N failed, N skipped` line that CI reads.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(
    testModules: ReadonlyArray<TestModule>,
    unhandledErrors: ReadonlyArray<unknown>,
    reason: TestRunEndReason,
  ): void {
    const byCategory = new Map<string, Counts>();
    const total: Counts = { passed: 0, failed: 0, skipped: 0 };
    for (const mod of testModules) {
      const name = mod.project.name || 'default';
      const counts = byCategory.get(name) ?? { passed: 0, failed: 0, skipped: 0 };
      byCategory.set(name, counts);
      let seen = 0;
      for (const test of mod.children.allTests()) {
        seen++;
        const state = test.result().state;
        if (state === 'passed') counts.passed++;
        else if (state === 'failed') counts.failed++;
        else counts.skipped++;
      }
      // A file that failed to load has no tests; count it so the total cannot read "0 failed".
      if (seen === 0 && mod.state() === 'failed') counts.failed++;
    }
    for (const c of byCategory.values()) {
      total.passed += c.passed;
      total.failed += c.failed;
      total.skipped += c.skipped;
    }
    total.failed += unhandledErrors.length;
    // A run that failed outside any test (e.g. a global setup refusing to start) must not read "0 failed".
    if (reason === 'failed' && total.failed === 0) total.failed = 1;
    const lines: string[] = [''];
    for (const [name, c] of [...byCategory].sort()) {
      lines.push(`  ${name.padEnd(8)} ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped`);
      const reason = categorySkipReason(name);
      if (reason) {
        lines.push(`!!! SKIPPED ${c.skipped} ${name} tests: ${reason}`);
      }
    }
    lines.push(`${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
    process.stdout.write(`${lines.join('\n')}\n`);
  }
}
