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
 * - raw: the compact raw record (src/store/encode/raw.ts) of this event, compressed on its own
 *   (./raw-codec.ts); raw_codec says how, so a later codec (blocks, a better dictionary) can live
 *   beside it.
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
  ],
};
