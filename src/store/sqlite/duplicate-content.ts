/**
 * Whether a duplicate (same eventID and time as an event kept before) says the same thing. A
 * redelivered file repeats its records exactly; a record that reuses a kept event's ID with other
 * content is forged or corrupt, and the first one stays, but it must not pass without a word.
 */
import type { EncodedChunk } from '../encode/chunk.js';

/** Conflicting eventIDs named per file; the rest are counted. */
export const MAX_CONFLICT_EXAMPLES = 5;

/** The columns of an event row that carry its content (dictionary ids, extra as stored). */
export interface StoredContent {
  api: number;
  account: number | null;
  principal: number | null;
  session: number | null;
  error: number | null;
  actions: number | null;
  /** JSON text, see EVENTS_MIGRATIONS. */
  resources: string | null;
  extra: string | null;
}

export function sameStoredContent(a: StoredContent, b: StoredContent): boolean {
  return (
    a.api === b.api &&
    a.account === b.account &&
    a.principal === b.principal &&
    a.session === b.session &&
    a.error === b.error &&
    a.actions === b.actions &&
    a.resources === b.resources &&
    (a.extra ?? null) === (b.extra ?? null)
  );
}

/** Events i and j of one chunk: the same raw record, or the same content. */
export function sameChunkContent(chunk: EncodedChunk, i: number, j: number): boolean {
  if (rawLine(chunk, i) === rawLine(chunk, j)) return true;
  return (
    chunk.times[i] === chunk.times[j] &&
    chunk.apis[i] === chunk.apis[j] &&
    chunk.accounts[i] === chunk.accounts[j] &&
    chunk.principals[i] === chunk.principals[j] &&
    chunk.sessions[i] === chunk.sessions[j] &&
    chunk.errors[i] === chunk.errors[j] &&
    chunk.actions[i] === chunk.actions[j] &&
    chunk.resources[i] === chunk.resources[j] &&
    (chunk.extras[i] ?? null) === (chunk.extras[j] ?? null)
  );
}

function rawLine(chunk: EncodedChunk, i: number): string {
  return Buffer.from(chunk.rawText.buffer, chunk.rawText.byteOffset + chunk.lineStarts[i]!, chunk.lineStarts[i + 1]! - 1 - chunk.lineStarts[i]!).toString('latin1');
}
