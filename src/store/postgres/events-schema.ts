import type { PgAreaMigrations } from './database.js';

/**
 * Events area (PostgreSQL). One row per event, partitioned by month of eventTime (declarative
 * RANGE partitioning on t, ms since the epoch; partitions are created ahead as commits need
 * them, see ./partitions.ts). Times outside [1970, 2200) land in events_default, so a hostile
 * eventTime can never make a partition that later blocks a real month.
 *
 * - Primary key (t, event_id): the dedup key (a record delivered twice has the same eventID and
 *   eventTime) and the time order; an insert is INSERT … ON CONFLICT DO NOTHING RETURNING, which
 *   holds across concurrent workers.
 * - api: JSON [eventSource, eventName]; actions/resources: jsonb arrays of strings (filters use
 *   the ? and ?| operators); text columns go through toPgText (U+0000 is not valid text here).
 * - raw_codec 2 (written since version 2): the compact raw record (src/store/encode/raw.ts) is
 *   line raw_index of raw_blocks row raw_block: the brotli-compressed lines of one commit's
 *   records, as SQLite's raw_blocks hold them (src/store/encode/lines.ts). A duplicate's line stays
 *   in its block unread. A block is deleted with its last event (retention, connector removal);
 *   min_t and max_t bound its events' times, so that check is an index range.
 * - raw_codec 1 (version 1): raw holds the record compressed on its own (./raw-codec.ts). Per
 *   record, deflate cost about 45 µs and 540 bytes; a block of a commit's records about 4 µs and
 *   130 bytes.
 * - origin: the connector whose file inserted the row; event_claims: other deliveries of a row
 *   by a connector (so removing a connector keeps events another one delivered too).
 * - principals: per acting principal its account and identity type.
 * - usage_hourly: (hour, principal, action, ok) → count, first/last ms, the latest event as
 *   evidence and up to 8 session names; updated with INSERT … ON CONFLICT DO UPDATE adding to
 *   the stored values (no read-modify-write), in the commit's transaction. action '' counts
 *   events that mapped to no action.
 */
export const PG_EVENTS_MIGRATIONS: PgAreaMigrations = {
  area: 'events',
  steps: [
    `CREATE TABLE events (
      t bigint NOT NULL,
      event_id text COLLATE "C" NOT NULL,
      api text NOT NULL,
      account text,
      principal text COLLATE "C",
      p_account text,
      itype text,
      session text,
      error text,
      actions jsonb NOT NULL,
      resources jsonb NOT NULL,
      extra text,
      raw_codec smallint NOT NULL,
      raw bytea NOT NULL,
      origin text,
      PRIMARY KEY (t, event_id)
    ) PARTITION BY RANGE (t);
    CREATE TABLE events_default PARTITION OF events DEFAULT;
    CREATE INDEX events_origin ON events (origin) WHERE origin IS NOT NULL;
    CREATE TABLE event_claims (
      connector text NOT NULL,
      t bigint NOT NULL,
      event_id text COLLATE "C" NOT NULL,
      PRIMARY KEY (connector, t, event_id)
    );
    CREATE INDEX event_claims_event ON event_claims (t, event_id);
    CREATE TABLE principals (
      principal text COLLATE "C" PRIMARY KEY,
      account text,
      itype text
    );
    CREATE INDEX principals_account ON principals (account);
    CREATE TABLE usage_hourly (
      hour bigint NOT NULL,
      principal text COLLATE "C" NOT NULL,
      action text COLLATE "C" NOT NULL,
      ok boolean NOT NULL,
      n bigint NOT NULL,
      first_ms bigint NOT NULL,
      last_ms bigint NOT NULL,
      sample text NOT NULL,
      sessions jsonb NOT NULL,
      PRIMARY KEY (hour, principal, action, ok)
    );
    CREATE INDEX usage_hourly_principal ON usage_hourly (principal, hour);`,
    `CREATE TABLE raw_blocks (
      id bigserial PRIMARY KEY,
      min_t bigint NOT NULL,
      max_t bigint NOT NULL,
      data bytea NOT NULL
    );
    CREATE INDEX raw_blocks_max_t ON raw_blocks (max_t);
    ALTER TABLE events ALTER COLUMN raw DROP NOT NULL;
    ALTER TABLE events ADD COLUMN raw_block bigint, ADD COLUMN raw_index integer;`,
  ],
};
