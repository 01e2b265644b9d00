/**
 * Rows both backends store the same way (JSON documents in text columns), and their mapping to
 * the contract's types, written once.
 */
import type { BackfillUnit, ConnectorRecord, StoredFinding, Suppression } from './types.js';

export interface FindingRow {
  id: string;
  rule: string;
  severity: string;
  account: string;
  resource: string;
  doc: string;
  first_seen: string;
  last_seen: string;
  resolved_at: string | null;
  suppression: string | null;
}

export function findingFromRow(r: FindingRow): StoredFinding {
  return {
    id: r.id,
    rule: r.rule,
    severity: r.severity,
    accountId: r.account,
    resource: r.resource,
    finding: JSON.parse(r.doc) as Record<string, unknown>,
    firstSeen: r.first_seen,
    lastSeen: r.last_seen,
    resolvedAt: r.resolved_at,
    suppression: r.suppression ? (JSON.parse(r.suppression) as Suppression) : null,
  };
}

export interface ConnectorRow {
  name: string;
  /** 0/1 in SQLite, a boolean in PostgreSQL. */
  enabled: number | boolean;
  external_id: string;
  settings: string;
  created_at: string;
  updated_at: string;
}

export function connectorFromRow(r: ConnectorRow): ConnectorRecord {
  return {
    name: r.name,
    enabled: r.enabled === true || r.enabled === 1,
    externalId: r.external_id,
    settings: JSON.parse(r.settings) as Record<string, unknown>,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** A backfill work unit as both backends select it (snake_case columns). */
export interface BackfillUnitRow {
  bucket: string;
  folder: string;
  day: string;
  connector: string;
  account_id: string;
  region: string;
  from_ms: number;
  until_ms: number;
  status: 'pending' | 'done';
  cursor: string | null;
  claimed_by: string | null;
  claimed_until_ms: number | null;
  generation: number;
  attempts: number;
  files: number;
  events: number;
  last_error: string | null;
}

export function toBackfillUnit(r: BackfillUnitRow): BackfillUnit {
  return {
    connector: r.connector,
    bucket: r.bucket,
    folder: r.folder,
    accountId: r.account_id,
    region: r.region,
    day: r.day,
    fromMs: r.from_ms,
    untilMs: r.until_ms,
    status: r.status,
    cursor: r.cursor,
    claimedBy: r.claimed_by,
    claimedUntilMs: r.claimed_until_ms,
    generation: r.generation,
    attempts: r.attempts,
    files: r.files,
    events: r.events,
    lastError: r.last_error,
  };
}
