import type { ConnectorConfig } from '../aws/index.js';

/** Whether trailscope reads a trail that exists already, or one its CloudFormation creates. */
export type TrailMode = 'existing' | 'new';

/**
 * A connector as the database keeps it: the YAML fields (ConnectorConfig) plus what trailscope
 * owns. The database is the one source of truth; `--config` files are imported into it.
 */
export interface Connector extends ConnectorConfig {
  /** Random, generated when the connector is created, stable across redeploys and edits. */
  externalId: string;
  trail: TrailMode;
  /** A disabled connector is not ingested or backfilled (its data stays until it is removed). */
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
}
