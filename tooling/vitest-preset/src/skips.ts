/**
 * Reasons a whole category was skipped, set by a global setup and read by the summary
 * reporter. Both run in vitest's main process, so a module-level map is shared.
 */
const reasons = new Map<string, string>();

export function recordCategorySkip(category: string, reason: string): void {
  reasons.set(category, reason);
}

export function categorySkipReason(category: string): string | undefined {
  return reasons.get(category);
}
