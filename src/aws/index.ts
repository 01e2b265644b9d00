export { createClients, credentialsFor, memoizeCredentials, principalFromCallerArn, roleSessionName, REFRESH_BEFORE_EXPIRY_MS } from './connection.js';
export type { AwsConnection, AwsClients, Credentials, CredentialsProvider } from './connection.js';
export { parseConfig, loadConfig, connectorFromFlags, resolveConnectors, connectionOf, ConfigError } from './config.js';
export type { ConnectorConfig, ConnectorFlags, TrailscopeConfig } from './config.js';
export { prepareAwsSdk, nodeSupportWarning, MIN_NODE_FOR_AWS_SDK } from './node-support.js';
