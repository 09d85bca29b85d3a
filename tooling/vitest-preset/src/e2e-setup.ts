import { existsSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import './provided.js';
import { recordCategorySkip } from './skips.js';

/** Provides `chromiumPath` to the e2e category: Debian's chromium, or '' (tests skip; CI fails instead). */
export default function setup(project: TestProject) {
  const candidate = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (existsSync(candidate)) {
    project.provide('chromiumPath', candidate);
    return;
  }
  const reason = `${candidate} does not exist. Install it with \`apt-get install -y chromium\` or set CHROMIUM_PATH.`;
  if (process.env.CI === 'true') throw new Error(`The e2e test category needs Chromium: ${reason}`);
  recordCategorySkip('e2e', reason);
  project.provide('chromiumPath', '');
}
