import type { CommitResult, CounterDelta, FileRecord } from '../types.js';
import { MAX_CONFLICT_EXAMPLES, sameChunkContent } from '../sqlite/duplicate-content.js';
import type { CoverageMark, EncodedBlock, EncodedChunk } from '../encode/index.js';
import { RAW_IN_BLOCK } from './raw-codec.js';
import { blocksOf } from './encoder.js';
import type { Queryable } from './database.js';
import { toPgText } from './database.js';
import { upsertFiles } from './files.js';
import { bumpCounterRow, foldCounters } from './ingest-state.js';
import { addUsage, type UsageEvent } from './usage.js';
import { writeCoverage } from './coverage.js';
import { DAY_MS } from '../evidence-window.js';

/** What the commit needs from the detections area (PgDetectionStore). */
export interface CommitHookRunner {
  afterInsert(db: Queryable, chunk: EncodedChunk, kept: readonly number[]): Promise<void>;
}

/**
 * Inserts the rows and answers with the 1-based positions of those it did not insert (already
 * stored): usually none, so a commit does not read back a row per event. Their days are marked
 * for the evidence summary in the same statement (./evidence-daily.ts).
 */
const INSERT_EVENTS = `WITH inserted AS (INSERT INTO events (t, event_id, api, account, principal, p_account, itype, session, error, actions, resources, extra, raw_codec, raw_block, raw_index, origin)
  SELECT t, event_id, api, account, principal, p_account, itype, session, error, actions::jsonb, resources::jsonb, extra, ${RAW_IN_BLOCK}, raw_block, raw_index, origin
  FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::bigint[], $14::int[], $15::text[])
    AS e(t, event_id, api, account, principal, p_account, itype, session, error, actions, resources, extra, raw_block, raw_index, origin)
  ON CONFLICT (t, event_id) DO NOTHING
  RETURNING t, event_id),
  marked AS (INSERT INTO evidence_daily_dirty (day) SELECT DISTINCT floor(t / ${DAY_MS})::bigint FROM inserted)
  SELECT coalesce(array_agg(k.ord::int), '{}') AS not_inserted
  FROM unnest($1::bigint[], $2::text[]) WITH ORDINALITY AS k(t, event_id, ord)
  WHERE NOT EXISTS (SELECT FROM inserted i WHERE i.t = k.t AND i.event_id = k.event_id)`;

/**
 * Writes the chunk's raw blocks (their data sent as one binary parameter and cut apart in SQL:
 * far cheaper than a bytea[] literal, hex text both ways) and answers with each event's block id
 * and line in it.
 */
async function insertBlocks(db: Queryable, chunk: EncodedChunk): Promise<{ blocks: EncodedBlock[]; ids: number[]; blockOf: Int32Array }> {
  const blocks = blocksOf(chunk);
  const blockOf = new Int32Array(chunk.n);
  if (blocks.length === 0) return { blocks, ids: [], blockOf };
  const { rows } = await db.query<{ id: number }>(`SELECT nextval('raw_blocks_id_seq') AS id FROM generate_series(1, $1)`, [blocks.length]);
  const ids = rows.map((r) => Number(r.id));
  const minT: number[] = [];
  const maxT: number[] = [];
  const starts: number[] = [];
  const lengths: number[] = [];
  let at = 1;
  blocks.forEach((b, j) => {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = b.first; i < b.first + b.n; i++) {
      const t = chunk.times[i]!;
      if (t < lo) lo = t;
      if (t > hi) hi = t;
      blockOf[i] = j;
    }
    minT.push(lo);
    maxT.push(hi);
    starts.push(at);
    lengths.push(b.data.length);
    at += b.data.length;
  });
  const data = Buffer.concat(blocks.map((b) => b.data));
  await db.query(
    `INSERT INTO raw_blocks (id, min_t, max_t, data)
     SELECT id, min_t, max_t, substring($4::bytea FROM s FOR l) FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $5::int[], $6::int[]) AS b(id, min_t, max_t, s, l)`,
    [ids, minT, maxT, data, starts, lengths],
  );
  return { blocks, ids, blockOf };
}

/** A JSON array of strings, each through toPgText (jsonb refuses \\u0000 too). */
function setJson(json: string): string {
  if (json === '[]' || (!json.includes('\\u0000') && !json.includes('\uFFFF'))) return json;
  return JSON.stringify((JSON.parse(json) as string[]).map((s) => toPgText(s)));
}

function setOf(json: string): string[] {
  return json === '[]' ? [] : (JSON.parse(json) as string[]).map((s) => toPgText(s));
}

/**
 * The body of one commit transaction: the chunk's events in one INSERT … SELECT FROM unnest
 * (dedup by the primary key, the rows it returns are the new ones), file records, claims of
 * re-delivered events, counters, principals, usage, the detection hook and coverage. An event
 * repeated inside the chunk or already stored is a duplicate of the part it is in.
 */
interface StoredRow {
  t: string;
  event_id: string;
  api: string;
  account: string | null;
  principal: string | null;
  session: string | null;
  error: string | null;
  actions: string[];
  resources: string[];
  extra: string | null;
}

/** Marks the duplicates of stored events whose content differs from what is stored. */
async function markStoredConflicts(db: Queryable, chunk: EncodedChunk, ids: string[], duplicates: number[], conflicting: Uint8Array): Promise<void> {
  if (duplicates.length === 0) return;
  const { rows } = await db.query<StoredRow>(
    `SELECT e.t, e.event_id, e.api, e.account, e.principal, e.session, e.error, e.actions, e.resources, e.extra
     FROM events e JOIN unnest($1::bigint[], $2::text[]) AS k(t, event_id) ON e.t = k.t AND e.event_id = k.event_id`,
    [duplicates.map((i) => chunk.times[i]!), duplicates.map((i) => ids[i]!)],
  );
  const stored = new Map(rows.map((r) => [`${r.t}\u0000${r.event_id}`, r]));
  const same = (a: readonly string[], json: string) => JSON.stringify(a) === JSON.stringify(setOf(json));
  for (const i of duplicates) {
    const r = stored.get(`${chunk.times[i]}\u0000${ids[i]}`);
    if (!r) continue;
    const differs =
      r.api !== chunk.apis[i] ||
      r.account !== toPgText(chunk.accounts[i]) ||
      r.principal !== toPgText(chunk.principals[i]) ||
      r.session !== toPgText(chunk.sessions[i]) ||
      r.error !== toPgText(chunk.errors[i]) ||
      !same(r.actions, chunk.actions[i]!) ||
      !same(r.resources, chunk.resources[i]!) ||
      (r.extra ?? null) !== (chunk.extras[i] ?? null);
    if (differs) conflicting[i] = 1;
  }
}

export async function writeChunk(db: Queryable, chunk: EncodedChunk, hook: CommitHookRunner): Promise<CommitResult[]> {
  const n = chunk.n;
  const ids = chunk.eventIds.map((id) => toPgText(id));
  const connectorOf: (string | null)[] = new Array<string | null>(n);
  {
    let i = 0;
    for (const part of chunk.parts) for (let end = i + part.events; i < end; i++) connectorOf[i] = part.file?.connector ?? null;
  }
  const firstSeen = new Map<string, number>();
  const unique: number[] = [];
  // A repeated eventID that says something else than the copy kept: reported, never stored.
  const conflicting = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const first = firstSeen.get(chunk.eventIds[i]!);
    if (first !== undefined) {
      if (!sameChunkContent(chunk, first, i)) conflicting[i] = 1;
      continue;
    }
    firstSeen.set(chunk.eventIds[i]!, i);
    unique.push(i);
  }
  // Key order, so two workers inserting overlapping events lock them in the same order.
  unique.sort((a, b) => chunk.times[a]! - chunk.times[b]! || (ids[a]! < ids[b]! ? -1 : ids[a]! > ids[b]! ? 1 : 0));
  const col = <T>(get: (i: number) => T) => unique.map(get);
  const inserted = new Uint8Array(n);
  if (unique.length > 0) {
    const { blocks, ids: blockIds, blockOf } = await insertBlocks(db, chunk);
    const { rows } = await db.query<{ not_inserted: number[] }>(INSERT_EVENTS, [
      col((i) => chunk.times[i]!),
      col((i) => ids[i]!),
      col((i) => chunk.apis[i]!),
      col((i) => toPgText(chunk.accounts[i])),
      col((i) => toPgText(chunk.principals[i])),
      col((i) => toPgText(chunk.principalAccounts[i])),
      col((i) => toPgText(chunk.identityTypes[i])),
      col((i) => toPgText(chunk.sessions[i])),
      col((i) => toPgText(chunk.errors[i])),
      col((i) => setJson(chunk.actions[i]!)),
      col((i) => setJson(chunk.resources[i]!)),
      col((i) => chunk.extras[i] ?? null),
      col((i) => blockIds[blockOf[i]!]!),
      col((i) => i - blocks[blockOf[i]!]!.first),
      col((i) => connectorOf[i]),
    ]);
    for (const i of unique) inserted[i] = 1;
    for (const position of rows[0]!.not_inserted) inserted[unique[position - 1]!] = 0;
    // a block none of whose events was new (a file delivered again) is not kept
    const used = new Uint8Array(blocks.length);
    for (const i of unique) if (inserted[i]) used[blockOf[i]!] = 1;
    const unused = blockIds.filter((_, j) => !used[j]);
    if (unused.length > 0) await db.query('DELETE FROM raw_blocks WHERE id = ANY($1::bigint[])', [unused]);
    await markStoredConflicts(db, chunk, ids, unique.filter((i) => !inserted[i]), conflicting);
  }

  const results: CommitResult[] = [];
  const kept: number[] = [];
  const files: FileRecord[] = [];
  const counters: CounterDelta[] = [];
  const claims: { connector: string; i: number }[] = [];
  const coverage: { connector: string | null; mark: CoverageMark }[] = [];
  let i = 0;
  for (const part of chunk.parts) {
    const result: CommitResult = { inserted: 0, duplicates: 0 };
    const connector = part.file?.connector;
    for (const end = i + part.events; i < end; i++) {
      if (conflicting[i]) {
        result.conflicts ??= { count: 0, eventIds: [] };
        if (result.conflicts.count++ < MAX_CONFLICT_EXAMPLES) result.conflicts.eventIds.push(chunk.eventIds[i]!);
      }
      if (inserted[i]) {
        kept.push(i);
        result.inserted++;
      } else {
        result.duplicates++;
        if (connector !== undefined) claims.push({ connector, i });
      }
    }
    if (part.file) files.push({ ...part.file, newEvents: result.inserted });
    if (part.counters) counters.push({ ...part.counters, events: result.inserted, duplicates: result.duplicates });
    for (const mark of part.coverage ?? []) coverage.push({ connector: connector ?? null, mark });
    results.push(result);
  }

  await upsertFiles(db, files);
  if (claims.length > 0) {
    await db.query(
      `INSERT INTO event_claims (connector, t, event_id) SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[]) ON CONFLICT DO NOTHING`,
      [claims.map((c) => c.connector), claims.map((c) => chunk.times[c.i]!), claims.map((c) => ids[c.i]!)],
    );
  }
  for (const row of foldCounters(counters)) await bumpCounterRow(db, row);
  await upsertPrincipals(db, chunk, kept);
  const usage: UsageEvent[] = kept.map((k) => ({
    eid: ids[k]!,
    t: chunk.times[k]!,
    principal: toPgText(chunk.principals[k]),
    session: toPgText(chunk.sessions[k]),
    ok: chunk.errors[k] === null,
    actions: setOf(chunk.actions[k]!),
  }));
  await addUsage(db, usage);
  await hook.afterInsert(db, chunk, kept);
  await writeCoverage(db, coverage);
  return results;
}

/** Each new principal's account and identity type, kept once known (never overwritten by null). */
async function upsertPrincipals(db: Queryable, chunk: EncodedChunk, kept: readonly number[]): Promise<void> {
  const first = new Map<string, number>();
  for (const k of kept) {
    const p = chunk.principals[k];
    if (p !== null && p !== undefined && !first.has(p)) first.set(p, k);
  }
  if (first.size === 0) return;
  const list = [...first].map(([p, k]) => [toPgText(p), toPgText(chunk.principalAccounts[k]), toPgText(chunk.identityTypes[k])] as const);
  list.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  await db.query(
    `INSERT INTO principals AS p (principal, account, itype)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
     ON CONFLICT (principal) DO UPDATE SET account = coalesce(p.account, excluded.account), itype = coalesce(p.itype, excluded.itype)
     WHERE p.account IS NULL OR p.itype IS NULL`,
    [list.map((r) => r[0]), list.map((r) => r[1]), list.map((r) => r[2])],
  );
}
