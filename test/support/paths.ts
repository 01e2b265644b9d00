import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';

/** The project root (the folder holding package.json). */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Real third-party data; never copied into the project (see ../shared/data/README.md). */
export const SHARED_DATA = resolve(PROJECT_ROOT, '..', 'shared', 'data');
export const SHARED_REFERENCE = resolve(PROJECT_ROOT, '..', 'shared', 'reference');

export function sharedData(...parts: string[]): string {
  return resolve(SHARED_DATA, ...parts);
}
