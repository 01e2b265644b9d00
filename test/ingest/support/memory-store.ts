/**
 * An in-memory Store with the parts ingestion uses (events.commit of plain parts with eventID dedup,
 * files, ingest state). For worker tests that should not depend on a database; the
 * end-to-end CLI tests use the real SQLite store.
 */
import type { NormalizedEvent } from '../../../src/model/index.js';
import type {
  CommitOptions,
  CommitResult,
  ConnectorCounters,
  FileRecord,
  HealthProblem,
  IngestStateStore,
  QuarantineRecord,
  Store,
  WriteBatch,
  WritePart,
} from '../../../src/store/index.js';
import { MEMORY_FORMAT } from './memory-encoder.js';
import type { MemoryBatch } from './memory-encoder.js';

export interface MemoryStore extends Store {
  eventsById: Map<string, NormalizedEvent>;
  fileRecords: Map<string, FileRecord>;
  quarantined: QuarantineRecord[];
  problems: HealthProblem[];
  /** Delay added to every commit (a slow store). */
  commitDelayMs: number;
  commits: number;
}

export function memoryStore(): MemoryStore {
  const eventsById = new Map<string, NormalizedEvent>();
  const fileRecords = new Map<string, FileRecord>();
  const quarantined: QuarantineRecord[] = [];
  const problems: HealthProblem[] = [];
  const counters = new Map<string, ConnectorCounters>();
  const state = new Map<string, string>();
  const notImplemented = () => {
    throw new Error('not implemented in the memory store');
  };
  const insert = (events: readonly NormalizedEvent[]): CommitResult => {
    let inserted = 0;
    let duplicates = 0;
    for (const e of events) {
      if (eventsById.has(e.eventID)) duplicates++;
      else {
        eventsById.set(e.eventID, e);
        inserted++;
      }
    }
    return { inserted, duplicates };
  };
  const ingest: IngestStateStore = {
    async quarantine(q) {
      quarantined.push(q);
    },
    async listQuarantine(connector) {
      return quarantined.filter((q) => !connector || q.connector === connector);
    },
    async reportProblem(p) {
      problems.push(p);
    },
    async listProblems(connector) {
      return problems.filter((p) => !connector || p.connector === connector);
    },
    async bumpCounters(d) {
      const k = `${d.connector}\u0000${d.accountId}`;
      const c = counters.get(k) ?? {
        connector: d.connector,
        accountId: d.accountId,
        files: 0,
        events: 0,
        duplicates: 0,
        lastMessageAt: null,
        lastFileAt: null,
        lastFileKey: null,
        newestEventTime: null,
        errorsByKind: {},
      };
      c.files += d.files ?? 0;
      c.events += d.events ?? 0;
      c.duplicates += d.duplicates ?? 0;
      if (d.messageAt && (!c.lastMessageAt || d.messageAt > c.lastMessageAt)) c.lastMessageAt = d.messageAt;
      if (d.fileAt && (!c.lastFileAt || d.fileAt >= c.lastFileAt)) {
        c.lastFileAt = d.fileAt;
        c.lastFileKey = d.fileKey ?? c.lastFileKey;
      }
      if (d.newestEventTime && (!c.newestEventTime || d.newestEventTime > c.newestEventTime)) c.newestEventTime = d.newestEventTime;
      if (d.errorKind) c.errorsByKind[d.errorKind] = (c.errorsByKind[d.errorKind] ?? 0) + 1;
      counters.set(k, c);
    },
    async counters(connector) {
      return [...counters.values()].filter((c) => !connector || c.connector === connector);
    },
    async getState(key) {
      return state.get(key);
    },
    async setState(key, value) {
      state.set(key, value);
    },
  };
  const store = {
    location: 'memory',
    eventsById,
    fileRecords,
    quarantined,
    problems,
    commitDelayMs: 0,
    commits: 0,
    events: {
      encoder: { module: new URL(import.meta.url.endsWith('.ts') ? './memory-encoder.ts' : './memory-encoder.js', import.meta.url).href, options: {} },
      async commit(batch: WriteBatch, _opts?: CommitOptions) {
        let parts: readonly WritePart[];
        if (Array.isArray(batch)) parts = batch as readonly WritePart[];
        else if ((batch as MemoryBatch).format === MEMORY_FORMAT) parts = (batch as MemoryBatch).items;
        else throw new Error(`a batch encoded as ${(batch as MemoryBatch).format} cannot be written to the memory store`);
        if (store.commitDelayMs) await new Promise((r) => setTimeout(r, store.commitDelayMs));
        store.commits++;
        return parts.map(({ file, events }) => {
          const r = insert(events);
          if (file) fileRecords.set(`${file.source}\u0000${file.key}`, { ...file, newEvents: r.inserted });
          return r;
        });
      },
      query: notImplemented,
      iterate: notImplemented,
      usage: notImplemented,
      stats: notImplemented,
      principals: notImplemented,
    },
    files: {
      async get(source: string, key: string) {
        return fileRecords.get(`${source}\u0000${key}`);
      },
      async record(file: FileRecord) {
        fileRecords.set(`${file.source}\u0000${file.key}`, file);
      },
      async listKeys(source: string, prefix: string) {
        return new Set([...fileRecords.values()].filter((f) => f.source === source && f.key.startsWith(prefix)).map((f) => f.key));
      },
      async count() {
        return fileRecords.size;
      },
    },
    ingest,
    iam: { putSnapshot: notImplemented, latest: notImplemented, latestAt: notImplemented, inventory: notImplemented, history: notImplemented, accounts: notImplemented },
    coverage: { add: notImplemented, runs: notImplemented, regions: notImplemented },
    findings: { recordRun: notImplemented, list: notImplemented, get: notImplemented, suppress: notImplemented, unsuppress: notImplemented, lastRun: notImplemented },
    connectors: { list: notImplemented, get: notImplemented, put: notImplemented, remove: notImplemented, recordDoctorRun: notImplemented, latestDoctorRun: notImplemented },
    async close() {},
  };
  return store as unknown as MemoryStore;
}
