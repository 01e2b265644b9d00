import { resolveConnectors, ConfigError } from '../aws/index.js';
import type { ConnectorConfig, ConnectorFlags, TrailscopeConfig } from '../aws/index.js';
import type { Store } from '../store/index.js';
import { ConnectorError, getConnector, importConfig, ingestConfigOf, listConnectors } from './registry.js';

export interface ConnectorSelection {
  /** A `--config` file: imported into the database first, then its connectors run. */
  config?: TrailscopeConfig;
  /** `--connector NAME`. */
  only?: string;
  /** Flags describing or overriding a connector (--bucket, --queue-url, …). */
  flags: ConnectorFlags;
  /** The field a one-off connector from flags needs ('queueUrl' for ingest, 'bucket' for backfill). */
  oneOffNeeds: 'queueUrl' | 'bucket';
}

/**
 * The connectors `ingest` or `backfill` runs: `--connector NAME` (flags override its fields),
 * a `--config` file's connectors (imported into the database), a one-off connector described by
 * flags alone, or else every enabled connector in the database.
 */
export async function selectConnectors(store: Store, sel: ConnectorSelection): Promise<ConnectorConfig[]> {
  const overrides = Object.fromEntries(Object.entries(sel.flags).filter(([k, v]) => v !== undefined && k !== 'name')) as ConnectorFlags;
  try {
    if (sel.config) await importConfig(store, sel.config);
    if (sel.only) {
      const c = await getConnector(store, sel.only);
      if (!c.enabled) throw new ConnectorError(`connector ${c.name} is disabled: enable it with trailscope connector enable ${c.name}`);
      return resolveConnectors({ connectors: [ingestConfigOf(c)] }, overrides);
    }
    if (sel.config) {
      const names = new Set(sel.config.connectors.map((c) => c.name));
      const chosen = (await listConnectors(store)).filter((c) => names.has(c.name) && c.enabled).map(ingestConfigOf);
      if (chosen.length === 0) throw new ConnectorError('every connector of the --config file is disabled: enable one with trailscope connector enable NAME');
      return resolveConnectors({ connectors: chosen }, overrides);
    }
    if (overrides[sel.oneOffNeeds] !== undefined) return resolveConnectors(undefined, sel.flags);
    const enabled = (await listConnectors(store)).filter((c) => c.enabled).map(ingestConfigOf);
    if (enabled.length === 0) {
      const flag = sel.oneOffNeeds === 'queueUrl' ? '--queue-url' : '--bucket';
      throw new ConnectorError(`no enabled connector in the database: add one with trailscope connector add --name N --bucket B --queue-url U, pass --config F, or give ${flag}`);
    }
    return resolveConnectors({ connectors: enabled }, overrides);
  } catch (err) {
    if (err instanceof ConfigError) throw new ConnectorError(err.message);
    throw err;
  }
}
