/**
 * Folding event rows into evidence groups, shared by the window scan and the daily summary
 * (./evidence-daily.ts): per group the count, the first `samples` rows in the index's
 * (t, event_id) order and the last one.
 */
/** resources is events.resources' JSON text; every other member a dictionary id. */
export type GroupKey = [principal: number | null, pAccount: number | null, api: number, actions: number | null, resources: string | null, error: number | null];

/** What a sample keeps of an event row: its time and its stored id. */
export type SampleRow = [t: number, eventId: Buffer | string];

export interface Fold {
  key: GroupKey;
  count: number;
  /** The first `samples` rows in (t, event_id) order, kept sorted. */
  first: SampleRow[];
  last: SampleRow;
}

export class EvidenceFolds {
  readonly folds = new Map<string, Fold>();

  constructor(private readonly samples: number) {}

  /** One event of the group `id` (the key's text). */
  add(id: string, key: GroupKey, row: SampleRow): void {
    const f = this.folds.get(id);
    if (!f) {
      this.folds.set(id, { key, count: 1, first: [row], last: row });
      return;
    }
    f.count++;
    if (byTimeThenId(row, f.last) > 0) f.last = row;
    const first = f.first;
    const samples = this.samples;
    if (first.length === samples && byTimeThenId(row, first[samples - 1]!) >= 0) return;
    let at = first.length;
    while (at > 0 && byTimeThenId(first[at - 1]!, row) > 0) at--;
    first.splice(at, 0, row);
    if (first.length > samples) first.pop();
  }

  /** A folded part of the group (a day's summary): `n` events, of which `rows` are its first ones and its last. */
  absorb(id: string, key: GroupKey, n: number, rows: readonly SampleRow[]): void {
    for (const row of rows) this.add(id, key, row);
    this.folds.get(id)!.count += n - rows.length;
  }

  /** In the order SQL's ORDER BY of the key columns gives (NULL first): readers keep it among equal times. */
  ordered(): Fold[] {
    return [...this.folds.values()].sort((a, b) => byKey(a.key, b.key));
  }
}

/**
 * The text that identifies a group's key. NUL separates the members: JSON text never holds a
 * raw NUL (JSON.stringify escapes it), so resources cannot run into the next member.
 */
export function keyId(key: GroupKey): string {
  return key.join('\0');
}

/** A fold's samples as stored: its first rows, then its last when not among them. */
export function keptSamples(f: Fold): SampleRow[] {
  return f.first.includes(f.last) ? f.first : [...f.first, f.last];
}

/** SQLite's order of (t, event_id): a text id sorts before a blob one, each by its bytes. */
export function byTimeThenId(a: SampleRow, b: SampleRow): number {
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
  const x = a[1];
  const y = b[1];
  if (typeof x === 'string' || typeof y === 'string') {
    if (typeof x !== 'string') return 1;
    if (typeof y !== 'string') return -1;
    return Buffer.compare(Buffer.from(x), Buffer.from(y));
  }
  return Buffer.compare(x, y);
}

function byKey(a: GroupKey, b: GroupKey): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? null;
    const y = b[i] ?? null;
    if (x === y) continue;
    if (x === null) return -1;
    if (y === null) return 1;
    // Text as SQLite's BINARY collation orders it (UTF-8 bytes), which differs from
    // JavaScript's UTF-16 order past the Basic Multilingual Plane.
    if (typeof x === 'string' && typeof y === 'string') return Buffer.compare(Buffer.from(x), Buffer.from(y));
    return x < y ? -1 : 1;
  }
  return 0;
}
