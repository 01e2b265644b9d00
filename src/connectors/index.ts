export type { Connector, TrailMode } from './types.js';
export {
  ConnectorError,
  addConnector,
  connectorOf,
  editConnector,
  getConnector,
  importConfig,
  ingestConfigOf,
  listConnectors,
  removeConnector,
  setConnectorEnabled,
} from './registry.js';
export type { ConfigImport } from './registry.js';
export { selectConnectors } from './select.js';
