/**
 * Lists answer `{ items, next }`: `next` is an opaque cursor for the following page, or null.
 * A cursor names the last item served (its sort key), not an offset, so a page neither skips nor
 * repeats items when the list changes between requests.
 */
import { z } from 'zod';
import { UseCaseError } from '../app/index.js';

export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().max(2000).optional(),
});

export interface Page<T> {
  items: T[];
  next: string | null;
}

export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): (string | number)[] | undefined {
  if (cursor === undefined) return undefined;
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number')) return v;
  } catch {
    // fall through
  }
  throw new UseCaseError('cursor: not a cursor this API gave out (pass back "next" as it is)');
}

function compareKeys(a: readonly (string | number)[], b: readonly (string | number)[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

/** A page of a list sorted by `key` (unique per item): the items after the cursor's key. */
export function pageOf<T>(items: readonly T[], key: (item: T) => (string | number)[], q: { limit: number; cursor?: string | undefined }): Page<T> {
  const after = decodeCursor(q.cursor);
  const sorted = [...items].sort((a, b) => compareKeys(key(a), key(b)));
  const rest = after ? sorted.filter((x) => compareKeys(key(x), after) > 0) : sorted;
  const page = rest.slice(0, q.limit);
  return { items: page, next: rest.length > q.limit ? encodeCursor(key(page[page.length - 1]!)) : null };
}

/**
 * A page of a list whose order is the use case's own (e.g. most serious first), each item named
 * by a unique `key`: the items after the cursor's item. A cursor whose item left the list (the
 * data changed) is refused rather than guessed, so a walk never skips or repeats silently.
 */
export function pageInOrder<T>(items: readonly T[], key: (item: T) => string, q: { limit: number; cursor?: string | undefined }): Page<T> {
  const after = decodeCursor(q.cursor);
  let start = 0;
  if (after) {
    const i = items.findIndex((x) => key(x) === after[0]);
    if (i < 0) throw new UseCaseError('cursor: the list changed since this cursor was given; start again without it');
    start = i + 1;
  }
  const page = items.slice(start, start + q.limit);
  return { items: page, next: start + q.limit < items.length ? encodeCursor([key(page[page.length - 1]!)]) : null };
}
