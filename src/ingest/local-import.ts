import { realpath, stat, readFile } from 'node:fs/promises';
import type { Store, FileRecord } from '../store/index.js';
import { parseFile, ParseError } from '../parse/index.js';
import { walkFiles } from '../sources/files/index.js';

export interface ImportFailure {
  path: string;
  reason: string;
  fix: string;
}

export interface ImportSummary {
  filesRead: number;
  eventsNew: number;
  duplicates: number;
  /** Files skipped: digests, non-CloudTrail files and files already imported. */
  skipped: number;
  alreadyImported: number;
  failed: number;
  rejectedRecords: number;
  failures: ImportFailure[];
}

export interface ImportProgress {
  path: string;
  filesDone: number;
  eventsNew: number;
}

export interface ImportOptions {
  now?: () => Date;
  onProgress?: (p: ImportProgress) => void;
  onFailure?: (f: ImportFailure) => void;
}

const READ_FIX = 'check that the path exists and is readable';

/**
 * Imports local files and directories (recursively) into the store. Idempotent: a file already
 * imported with the same size is skipped, and events are deduplicated by eventID, so importing
 * the same tree twice adds nothing.
 */
export async function importPaths(store: Store, paths: string[], opts: ImportOptions = {}): Promise<ImportSummary> {
  const now = opts.now ?? (() => new Date());
  const summary: ImportSummary = {
    filesRead: 0,
    eventsNew: 0,
    duplicates: 0,
    skipped: 0,
    alreadyImported: 0,
    failed: 0,
    rejectedRecords: 0,
    failures: [],
  };
  const fail = (failure: ImportFailure) => {
    summary.failed++;
    summary.failures.push(failure);
    opts.onFailure?.(failure);
  };

  for await (const entry of walkFiles(paths)) {
    if ('error' in entry) {
      fail({ path: entry.path, reason: entry.error, fix: READ_FIX });
      continue;
    }
    let path: string;
    let size: number;
    try {
      path = await realpath(entry.path);
      size = (await stat(path)).size;
    } catch (err) {
      fail({ path: entry.path, reason: (err as Error).message, fix: READ_FIX });
      continue;
    }
    const previous = await store.files.get('file', path);
    if (previous && previous.status !== 'failed' && previous.size === size) {
      summary.alreadyImported++;
      summary.skipped++;
      continue;
    }
    summary.filesRead++;
    const base = { source: 'file', key: path, size, connector: 'import', processedAt: now().toISOString() };
    const recordFailure = async (reason: string, fix: string) => {
      fail({ path, reason, fix });
      const failed: FileRecord = { ...base, status: 'failed', kind: 'other', eventCount: 0, newEvents: 0, error: reason };
      await store.files.record(failed);
    };
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (err) {
      await recordFailure((err as Error).message, 'check file permissions');
      continue;
    }
    try {
      const parsed = parseFile(bytes, path);
      summary.rejectedRecords += parsed.rejected.length;
      if (parsed.kind === 'digest' || parsed.kind === 'other') {
        summary.skipped++;
        await store.files.record({ ...base, status: 'skipped', kind: parsed.kind, eventCount: 0, newEvents: 0 });
        continue;
      }
      const result = await store.events.commitFile(
        { ...base, status: 'done', kind: parsed.kind, eventCount: parsed.events.length, newEvents: 0 },
        parsed.events,
      );
      summary.eventsNew += result.inserted;
      summary.duplicates += result.duplicates;
    } catch (err) {
      if (err instanceof ParseError) await recordFailure(err.reason, err.fix);
      else await recordFailure((err as Error).message, 'report this as a bug, with the file if you can share it');
    }
    opts.onProgress?.({ path, filesDone: summary.filesRead, eventsNew: summary.eventsNew });
  }
  return summary;
}
