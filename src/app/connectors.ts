import type { Connector } from '../connectors/index.js';
import type { Store } from '../store/index.js';

/** The JSON document of a connector: the YAML fields, its ExternalId, status and ingestion counts. */
export async function connectorDocument(store: Store, c: Connector): Promise<Record<string, unknown>> {
  const counters = await store.ingest.counters(c.name);
  const files = counters.reduce((n, x) => n + x.files, 0);
  const events = counters.reduce((n, x) => n + x.events, 0);
  const lastFileAt = counters.map((x) => x.lastFileAt).filter((x): x is string => Boolean(x)).sort().at(-1) ?? null;
  const { name, type, trail, enabled, externalId, createdAt, updatedAt, ...fields } = c;
  return { name, type, trail, ...fields, externalId, status: enabled ? 'enabled' : 'disabled', createdAt, updatedAt, ingestion: { files, events, lastFileAt } };
}
