/**
 * The SigmaHQ CloudTrail rules shipped in <project>/data/sigma/rules (DRL 1.1, see its NOTICE):
 * compiled on first use and cached, so commands that never run event rules never read them.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSigmaRules, type SigmaLoadResult } from './index.js';

let cache: SigmaLoadResult | undefined;

/** src/detect/sigma -> the project root is three levels up; dist/src/detect/sigma is four. */
export function shippedSigmaDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [resolve(here, '..', '..', '..'), resolve(here, '..', '..', '..', '..')];
  for (const root of candidates) {
    const dir = resolve(root, 'data', 'sigma', 'rules');
    if (existsSync(dir)) return dir;
  }
  return resolve(candidates[0]!, 'data', 'sigma', 'rules');
}

/** The shipped rules, compiled once per process (their problems too: tests keep that list empty). */
export function shippedSigmaRules(): SigmaLoadResult {
  cache ??= loadSigmaRules([shippedSigmaDir()]);
  return cache;
}
