/**
 * Shorthands over EventStore.commit for tests and measurements: one file, or events tied to no
 * file. They add nothing to the store's one write path.
 */
import type { NormalizedEvent } from '../../model/index.js';
import type { CommitCounters, CommitResult, EventStore, FileRecord } from '../types.js';

/** One file's events, its record and counters in one transaction (grouped with concurrent small commits). */
export async function commitFile(events: EventStore, file: FileRecord, list: readonly NormalizedEvent[], counters?: CommitCounters): Promise<CommitResult> {
  return (await events.commit([{ file, events: list, ...(counters ? { counters } : {}) }]))[0]!;
}

/** Events tied to no file, committed at once. */
export async function insertEvents(events: EventStore, list: readonly NormalizedEvent[]): Promise<CommitResult> {
  return (await events.commit([{ file: null, events: list }], { immediate: true }))[0]!;
}
