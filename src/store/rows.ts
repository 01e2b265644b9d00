/**
 * Rows both backends store the same way (JSON documents in text columns), and their mapping to
 * the contract's types, written once.
 */
import type { ConnectorRecord, StoredFinding, Suppression } from './types.js';

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
