import type { AreaMigrations } from './database.js';
import { DICTIONARY_SQL } from './dictionary.js';

/**
 * Events schema. One row per event with only what filters, ordering and aggregation need, as
 * integers (strings interned in `strings`); the raw records live compressed in `raw_blocks`.
 *
 * - events.event_id: a 16-byte blob for UUIDs, text otherwise. events.t: eventTime in ms.
 *   The one index is unique (t, event_id): it is the dedup key and the time order at once.
 *   A record delivered twice (by CloudTrail, SQS or a re-import) has the same eventID and the
 *   same eventTime, so this dedups exactly as eventID alone would, while keeping inserts local
 *   in the index (files arrive roughly in time order) instead of scattered by random UUIDs:
 *   that locality is what keeps bulk import fast once the store holds millions of events.
 *   There is deliberately no (principal, t) index: per-principal questions at scale are served
 *   by usage_hourly; a principal filter on raw events scans the time range.
 * - events.api: interned JSON [eventSource, eventName].
 * - events.actions: an interned id set (see id_sets), so SQL can group and filter on it.
 * - events.resources: the JSON array of the ARNs the request named (NULL when none), as text.
 *   Not interned: one event in several names a resource seen once (a new S3 object, an instance
 *   launched), and interning those cost a random insert into two unique indexes per event, about
 *   a fifth of an import's CPU. Nothing filters on resources in SQL; grouping works on the text.
 *   (Version 3 of the area converted rows written as set ids; the column keeps its INTEGER
 *   declaration, under which SQLite stores JSON text as text.)
 * - events.extra: JSON of the normalised fields that differ from what the raw record implies
 *   (almost always NULL).
 * - raw_blocks: id = rowid of the block's first event, n events, rowids id..id+n-1 (an event's
 *   block is the one with the greatest id <= its rowid: no per-event pointer is stored).
 *   codec 1 = brotli of the JSON lines; codec 0 = plain lines of a recent commit, compressed
 *   after the commit together with its neighbours (see RawBlocks in ./raw-blocks.js).
 * - principals: per acting principal, its account and identity type.
 * - usage_hourly: keyed (hour, principal, action, success), time first so inserts stay local:
 *   the count, first/last ms, the eventID of the bucket's latest event (evidence, stored like
 *   events.event_id) and up to 8 session name ids; maintained in the insert's transaction.
 *   action 0 counts events that mapped to no action, so principals' activity is complete.
 * - event_origins / event_claims: which connector's file brought each row in, and which other
 *   connectors delivered it again (see removeConnectorEvents).
 */
export const EVENTS_MIGRATIONS: AreaMigrations = {
  area: 'events',
  steps: [
    `${DICTIONARY_SQL}
    CREATE TABLE events (
      id INTEGER PRIMARY KEY,
      event_id BLOB NOT NULL,
      t INTEGER NOT NULL,
      api INTEGER NOT NULL,
      account INTEGER,
      principal INTEGER,
      p_account INTEGER,
      itype INTEGER,
      session INTEGER,
      error INTEGER,
      actions INTEGER,
      resources INTEGER,
      extra TEXT
    );
    CREATE UNIQUE INDEX events_time_id ON events (t, event_id);
    CREATE TABLE raw_blocks (
      id INTEGER PRIMARY KEY,
      n INTEGER NOT NULL,
      codec INTEGER NOT NULL,
      data BLOB NOT NULL
    );
    CREATE INDEX raw_blocks_plain ON raw_blocks (id) WHERE codec = 0;
    CREATE TABLE principals (
      principal INTEGER PRIMARY KEY,
      account INTEGER,
      itype INTEGER
    );
    CREATE TABLE usage_hourly (
      principal INTEGER NOT NULL,
      action INTEGER NOT NULL,
      hour INTEGER NOT NULL,
      ok INTEGER NOT NULL,
      n INTEGER NOT NULL,
      first_ms INTEGER NOT NULL,
      last_ms INTEGER NOT NULL,
      sample BLOB NOT NULL,
      sessions TEXT NOT NULL,
      PRIMARY KEY (hour, principal, action, ok)
    ) WITHOUT ROWID;`,
    // Provenance, so a connector can be removed with what it brought in: the rowid range each
    // file's commit inserted (consecutive within a transaction), and the rows another connector
    // delivered again (a duplicate is looked up only when it occurs, so inserts stay cheap).
    `CREATE TABLE event_origins (
      lo INTEGER PRIMARY KEY,
      hi INTEGER NOT NULL,
      connector TEXT NOT NULL,
      source TEXT NOT NULL,
      key TEXT NOT NULL
    );
    CREATE INDEX event_origins_connector ON event_origins (connector);
    CREATE TABLE event_claims (
      connector TEXT NOT NULL,
      row INTEGER NOT NULL,
      PRIMARY KEY (connector, row)
    ) WITHOUT ROWID;
    CREATE INDEX event_claims_row ON event_claims (row);`,
    // resources from interned set ids to JSON text (see above), in the order the set kept.
    `UPDATE events SET resources = (
       SELECT json_group_array(s.s ORDER BY j.key)
       FROM id_sets m, json_each('[' || m.members || ']') j JOIN strings s ON s.id = j.value
       WHERE m.id = events.resources)
     WHERE typeof(resources) = 'integer';`,
  ],
};
