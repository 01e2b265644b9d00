import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Where generated files go. Paths are relative to the output root and '/'-separated. */
export interface GenerateSink {
  write(path: string, data: Uint8Array | string): Promise<void>;
  close?(): Promise<void>;
}

/**
 * Writes files under a local directory, creating folders as needed. Uses synchronous calls on
 * purpose: for tens of thousands of small files they cost far less CPU than the async thread pool.
 */
export function directorySink(root: string): GenerateSink {
  const made = new Set<string>();
  return {
    async write(path: string, data: Uint8Array | string): Promise<void> {
      const full = join(root, ...path.split('/'));
      const dir = dirname(full);
      if (!made.has(dir)) {
        mkdirSync(dir, { recursive: true });
        made.add(dir);
      }
      writeFileSync(full, data);
    },
  };
}

/** Keeps files in memory (tests, small runs). */
export function memorySink(): GenerateSink & { files: Map<string, Uint8Array | string> } {
  const files = new Map<string, Uint8Array | string>();
  return {
    files,
    async write(path: string, data: Uint8Array | string): Promise<void> {
      files.set(path, data);
    },
  };
}
