/**
 * Copies one store into another, any backend into any other (`trailscope migrate`), through the
 * Store contract where it reads and writes what is stored (events, connectors, IAM snapshots,
 * detections and changes) and through TransferStore for the rest (file records, ingest state,
 * findings with their history, and the aggregates the write path derives from events, copied
 * as stored so what retention left behind survives). Everything moves in batches: memory stays
 * bounded whatever the store's size. At the end both sides are counted and compared.
 */
import type { IamSnapshotRow, Store, TransferTable } from '../types.js';
import type { NormalizedEvent } from '../../model/index.js';
import { countStore } from './counts.js';

export interface MigrateProgress {
  /** What is being copied, e.g. "events". */
  phase: string;
  done: number;
  /** null when not known beforehand. */
  total: number | null;
}

export interface MigrateOptions {
  /** Copy into a store that already holds data (events deduplicate by eventID; rows with the same key are replaced). */
  append?: boolean;
  /** Events per write transaction (default 2000). */
  eventBatch?: number;
  onProgress?: (p: MigrateProgress) => void;
}

export interface CountComparison {
  what: string;
  source: number;
  target: number;
  /** Equal (or, with append, the target holds at least as many); null when not comparable. */
  ok: boolean | null;
}

export interface MigrateResult {
  counts: CountComparison[];
  ok: boolean;
  /** Events written that the target did not hold yet. */
  eventsInserted: number;
}

export class TargetNotEmptyError extends Error {
  constructor(readonly counts: { what: string; n: number }[]) {
    super(`the target store is not empty (${counts.map((c) => `${c.n} ${c.what}`).join(', ')}): pass --append to copy into it anyway`);
  }
}

/** Plain tables, in an order where nothing refers to what comes later. */
const TABLES: TransferTable[] = ['event_origins', 'event_claims', 'files', 'quarantine', 'health_problems', 'connector_counters', 'kv_state', 'doctor_runs', 'findings', 'analysis_runs', 'detect_memory'];
/** Aggregates the event copy derives: replaced by the source's rows (they may outlive its events). */
const DERIVED: TransferTable[] = ['principals', 'usage_hourly', 'coverage_hourly'];
const ROW_BATCH = 1000;

export async function migrateStore(from: Store, to: Store, opts: MigrateOptions = {}): Promise<MigrateResult> {
  const append = opts.append === true;
  const progress = opts.onProgress ?? (() => {});
  if (!append) {
    const present = (await countStore(to)).filter((c) => c.n > 0);
    if (present.length > 0) throw new TargetNotEmptyError(present);
  }
  const sourceCounts = await countStore(from);
  const total = (what: string) => sourceCounts.find((c) => c.what === what)?.n ?? null;

  const connectors = await from.connectors.list();
  for (const c of connectors) await to.connectors.put(c);
  progress({ phase: 'connectors', done: connectors.length, total: connectors.length });

  await copyIam(from, to, append, (done) => progress({ phase: 'IAM snapshots', done, total: total('IAM snapshots') }));

  // Events, oldest first, with their raw records; the write path dedups by eventID.
  let read = 0;
  let sourceRaw = 0;
  let eventsInserted = 0;
  const batchSize = opts.eventBatch ?? 2000;
  let batch: NormalizedEvent[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    eventsInserted += (await to.events.commit([{ file: null, events: batch }], { immediate: true }))[0]!.inserted;
    batch = [];
    progress({ phase: 'events', done: read, total: total('events') });
  };
  for await (const e of from.events.iterate({})) {
    read++;
    if (hasRaw(e)) sourceRaw++;
    batch.push(e);
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  progress({ phase: 'events', done: read, total: total('events') });

  for (const table of TABLES) await copyTable(from, to, table, progress);
  for (const table of DERIVED) {
    // With --append the target's own usage stays as its events made it; the source's replaces nothing.
    if (append && table === 'usage_hourly') continue;
    if (!append) await to.transfer.clear(table);
    await copyTable(from, to, table, progress);
  }

  const detections = await from.detections.list();
  const changes = await from.detections.changes();
  for (let i = 0; i < Math.max(detections.length, changes.length); i += ROW_BATCH) {
    await to.detections.put({ detections: detections.slice(i, i + ROW_BATCH), changes: changes.slice(i, i + ROW_BATCH) });
    progress({ phase: 'detections and changes', done: Math.min(i + ROW_BATCH, detections.length + changes.length), total: detections.length + changes.length });
  }

  // Raw records: read back from the target, so a record lost on the way is counted as lost.
  let targetRaw = 0;
  for await (const e of to.events.iterate({})) if (hasRaw(e)) targetRaw++;
  const targetCounts = await countStore(to);
  const counts: CountComparison[] = [];
  const compare = (what: string, source: number, target: number, comparable = true) =>
    counts.push({ what, source, target, ok: comparable ? (append ? target >= source : target === source) : null });
  compare('events read', read, targetCounts.find((c) => c.what === 'events')!.n);
  compare('raw records', sourceRaw, targetRaw);
  for (const s of sourceCounts) {
    const t = targetCounts.find((c) => c.what === s.what)!.n;
    compare(s.what, s.n, t, !(append && s.what === 'usage rows'));
  }
  return { counts, ok: counts.every((c) => c.ok !== false), eventsInserted };
}

function hasRaw(e: NormalizedEvent): boolean {
  return e.raw !== null && typeof e.raw === 'object' && Object.keys(e.raw).length > 0;
}

async function copyTable(from: Store, to: Store, table: TransferTable, progress: (p: MigrateProgress) => void): Promise<void> {
  const total = await from.transfer.count(table);
  let after: unknown = null;
  let done = 0;
  for (;;) {
    const page = await from.transfer.readRows(table, after, ROW_BATCH);
    await to.transfer.writeRows(table, page.rows);
    done += page.rows.length;
    progress({ phase: table, done, total });
    if (page.next === null) return;
    after = page.next;
  }
}

/** Snapshots oldest first per account and kind, so `latest` and `history` order the same on both sides. */
async function copyIam(from: Store, to: Store, append: boolean, progress: (done: number) => void): Promise<void> {
  let done = 0;
  for (const inv of await from.iam.inventory()) {
    const history = (await from.iam.history(inv.kind, inv.accountId, inv.snapshots)).reverse();
    const have = append ? new Set((await to.iam.history(inv.kind, inv.accountId, Number.MAX_SAFE_INTEGER)).map(snapshotKey)) : new Set<string>();
    for (const row of history) {
      if (!have.has(snapshotKey(row))) await to.iam.putSnapshot(row);
      progress(++done);
    }
  }
}

function snapshotKey(r: IamSnapshotRow): string {
  return JSON.stringify([r.takenAt ?? r.importedAt, r.importedAt, r.source]);
}
