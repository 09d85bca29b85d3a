/**
 * Reasons a whole category was skipped, set by a global setup and read by the summary
 * reporter. Both run in vitest's main process but may be loaded as separate module
 * instances, so the reasons travel through process.env.
 */
const envKey = (category: string) => `INDICO_TEST_SKIPPED_${category.toUpperCase().replace(/\W/g, '_')}`;

export function recordCategorySkip(category: string, reason: string): void {
  process.env[envKey(category)] = reason;
}

export function categorySkipReason(category: string): string | undefined {
  return process.env[envKey(category)] || undefined;
}
