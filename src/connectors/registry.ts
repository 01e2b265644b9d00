/**
 * The connectors the database holds: created, edited, enabled, disabled, removed, imported from
 * a `--config` file, and picked for `ingest` and `backfill`. Settings are validated with the same
 * rules as the YAML file (src/aws/config.ts) whenever they are written or read.
 */
import { randomUUID } from 'node:crypto';
import { connectorFromFlags, ConfigError } from '../aws/index.js';
import type { ConnectorConfig, ConnectorFlags, TrailscopeConfig } from '../aws/index.js';
import type { ConnectorRecord, ConnectorRemoval, Store } from '../store/index.js';
import type { Connector, TrailMode } from './types.js';

/** A connector operation that cannot be done; the message says why and what to run instead. */
export class ConnectorError extends Error {
  override readonly name = 'ConnectorError';
}

const SETTING_KEYS = ['type', 'accountId', 'organizationId', 'bucket', 'prefix', 'queueUrl', 'kmsKeyArn', 'region', 'roleArn', 'endpointUrl'] as const;

function settingsOf(c: ConnectorConfig, trail: TrailMode): Record<string, unknown> {
  const settings: Record<string, unknown> = { trail };
  for (const k of SETTING_KEYS) if (c[k] !== undefined) settings[k] = c[k];
  return settings;
}

/** The typed connector of a stored record (settings validated again: the file may be old or edited). */
export function connectorOf(r: ConnectorRecord): Connector {
  const { trail, ...fields } = r.settings as { trail?: TrailMode } & ConnectorFlags;
  let config: ConnectorConfig;
  try {
    config = connectorFromFlags({ ...fields, name: r.name, ...(fields.roleArn ? { externalId: r.externalId } : {}) });
  } catch (err) {
    throw new ConnectorError(`connector ${r.name} has invalid settings in the database: ${(err as Error).message}; fix them with trailscope connector edit ${r.name}`);
  }
  return { ...config, externalId: r.externalId, trail: trail === 'new' ? 'new' : 'existing', enabled: r.enabled, createdAt: r.createdAt, updatedAt: r.updatedAt };
}

/** What `ingest` and `backfill` pass to AWS: the ExternalId only goes with a role to assume. */
export function ingestConfigOf(c: Connector): ConnectorConfig {
  const { externalId, trail: _trail, enabled: _enabled, createdAt: _c, updatedAt: _u, ...fields } = c;
  // The queue URL names its region (https://sqs.<region>.amazonaws.com/...): use it when none is given.
  const m = fields.queueUrl && !fields.region ? /^https:\/\/sqs\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?\//.exec(fields.queueUrl) : null;
  const config = m ? { ...fields, region: m[1]! } : fields;
  return c.roleArn ? { ...config, externalId } : config;
}

export async function listConnectors(store: Store): Promise<Connector[]> {
  return (await store.connectors.list()).map(connectorOf);
}

export async function getConnector(store: Store, name: string): Promise<Connector> {
  const r = await store.connectors.get(name);
  if (!r) {
    const names = (await store.connectors.list()).map((c) => c.name);
    throw new ConnectorError(
      `no connector named "${name}" (${names.length ? `have: ${names.join(', ')}` : 'none yet: add one with trailscope connector add --name N --bucket B …'})`,
    );
  }
  return connectorOf(r);
}

/** A queue given by ARN (what CloudFormation outputs and the console shows) as the URL SQS calls take. */
export function queueUrlOf(queue: string): string {
  const m = /^arn:(aws[a-z-]*):sqs:([a-z0-9-]+):(\d{12}):([\w-]{1,80}(\.fifo)?)$/.exec(queue);
  if (!m) return queue;
  const domain = m[1] === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `https://sqs.${m[2]}.${domain}/${m[3]}/${m[4]}`;
}

function validated(flags: ConnectorFlags): ConnectorConfig {
  try {
    return connectorFromFlags(flags.queueUrl ? { ...flags, queueUrl: queueUrlOf(flags.queueUrl) } : flags);
  } catch (err) {
    throw new ConnectorError(err instanceof ConfigError ? err.message : String(err));
  }
}

/** Adds a connector with a fresh random ExternalId (or the given one, for a role that already trusts it). */
export async function addConnector(store: Store, flags: ConnectorFlags & { name: string }, opts: { trail?: TrailMode; now?: Date } = {}): Promise<Connector> {
  if (await store.connectors.get(flags.name)) throw new ConnectorError(`a connector named "${flags.name}" exists already: change it with trailscope connector edit ${flags.name}`);
  const config = validated(flags);
  const at = (opts.now ?? new Date()).toISOString();
  const record = await store.connectors.put({
    name: config.name,
    enabled: true,
    externalId: flags.externalId ?? randomUUID(),
    settings: settingsOf(config, opts.trail ?? 'existing'),
    createdAt: at,
    updatedAt: at,
  });
  return connectorOf(record);
}

/** Changes the given fields (an empty string clears an optional one); name and ExternalId stay. */
export async function editConnector(store: Store, name: string, changes: ConnectorFlags & { trail?: TrailMode }, now = new Date()): Promise<Connector> {
  const current = await getConnector(store, name);
  const { trail, externalId: _ignored, ...fieldChanges } = changes;
  const merged: ConnectorFlags = { ...(settingsOf(current, current.trail) as ConnectorFlags), name };
  for (const [k, v] of Object.entries(fieldChanges)) {
    if (v === undefined) continue;
    if (v === '') delete (merged as Record<string, unknown>)[k];
    else (merged as Record<string, unknown>)[k] = v;
  }
  delete (merged as Record<string, unknown>).trail;
  const config = validated({ ...merged, ...(merged.roleArn ? { externalId: current.externalId } : {}) });
  const record = await store.connectors.put({
    name,
    enabled: current.enabled,
    externalId: current.externalId,
    settings: settingsOf(config, trail ?? current.trail),
    createdAt: current.createdAt,
    updatedAt: now.toISOString(),
  });
  return connectorOf(record);
}

export async function setConnectorEnabled(store: Store, name: string, enabled: boolean, now = new Date()): Promise<Connector> {
  const current = await getConnector(store, name);
  const record = await store.connectors.put({
    name,
    enabled,
    externalId: current.externalId,
    settings: settingsOf(current, current.trail),
    createdAt: current.createdAt,
    updatedAt: now.toISOString(),
  });
  return connectorOf(record);
}

export async function removeConnector(store: Store, name: string): Promise<ConnectorRemoval> {
  await getConnector(store, name);
  const removed = await store.connectors.remove(name);
  if (!removed) throw new ConnectorError(`connector ${name} was removed by another process`);
  return removed;
}

export interface ConfigImport {
  created: string[];
  updated: string[];
  unchanged: string[];
}

/**
 * Imports a `--config` file's connectors: new names are created, changed ones updated (their
 * ExternalId kept unless the file names one), identical ones left alone. Idempotent.
 */
export async function importConfig(store: Store, config: TrailscopeConfig, now = new Date()): Promise<ConfigImport> {
  const out: ConfigImport = { created: [], updated: [], unchanged: [] };
  for (const c of config.connectors) {
    const existing = await store.connectors.get(c.name);
    if (!existing) {
      await addConnector(store, { ...c }, { now });
      out.created.push(c.name);
      continue;
    }
    const current = connectorOf(existing);
    const settings = settingsOf(c, current.trail);
    const sameSettings = JSON.stringify(settings) === JSON.stringify(existing.settings);
    const externalId = c.externalId ?? existing.externalId;
    if (sameSettings && externalId === existing.externalId) {
      out.unchanged.push(c.name);
      continue;
    }
    await store.connectors.put({ name: c.name, enabled: existing.enabled, externalId, settings, createdAt: existing.createdAt, updatedAt: now.toISOString() });
    out.updated.push(c.name);
  }
  return out;
}
