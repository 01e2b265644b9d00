/**
 * The SigmaHQ CloudTrail rules shipped in <project>/data/sigma/rules (DRL 1.1, see its NOTICE):
 * compiled on first use and cached, so commands that never run event rules never read them.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSigmaRules, type SigmaLoadResult } from './index.js';

let cache: SigmaLoadResult | undefined;

/**
 * The nearest folder above this module holding package.json and data/sigma/rules: the package
 * root from src/detect/sigma and dist/detect/sigma, and from a build compiled elsewhere inside
 * the project (the end-to-end tests' tmp/test-build-*).
 */
export function shippedSigmaDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  const first = resolve(dir, '..', '..', '..', 'data', 'sigma', 'rules');
  for (;;) {
    const rules = resolve(dir, 'data', 'sigma', 'rules');
    if (existsSync(join(dir, 'package.json')) && existsSync(rules)) return rules;
    const up = dirname(dir);
    if (up === dir) return first;
    dir = up;
  }
}

/** The shipped rules, compiled once per process (their problems too: tests keep that list empty). */
export function shippedSigmaRules(): SigmaLoadResult {
  cache ??= loadSigmaRules([shippedSigmaDir()]);
  return cache;
}
