/**
 * The connectors use case, shared by `trailscope connector|onboard|doctor` and /api/connectors:
 * the connector document, the changes (with the registry's validation), its CloudFormation and
 * its doctor run. Registry and onboarding errors become UseCaseErrors with the same messages.
 */
import { ConfigError, type ConnectorFlags } from '../aws/index.js';
import {
  addConnector,
  ConnectorError,
  editConnector,
  getConnector,
  ingestConfigOf,
  removeConnector,
  setConnectorEnabled,
  type Connector,
  type TrailMode,
} from '../connectors/index.js';
import { runDoctor, type DoctorOptions, type DoctorRun } from '../doctor/index.js';
import { cloudFormationTemplate, OnboardingError, type OnboardingMode, type OnboardingTemplate } from '../onboard/index.js';
import type { ConnectorRemoval, Store } from '../store/index.js';
import { UseCaseError } from './errors.js';

/** The JSON document of a connector: the YAML fields, its ExternalId, status and ingestion counts. */
export async function connectorDocument(store: Store, c: Connector): Promise<Record<string, unknown>> {
  const counters = await store.ingest.counters(c.name);
  const files = counters.reduce((n, x) => n + x.files, 0);
  const events = counters.reduce((n, x) => n + x.events, 0);
  const lastFileAt = counters.map((x) => x.lastFileAt).filter((x): x is string => Boolean(x)).sort().at(-1) ?? null;
  const { name, type, trail, enabled, externalId, createdAt, updatedAt, ...fields } = c;
  return { name, type, trail, ...fields, externalId, status: enabled ? 'enabled' : 'disabled', createdAt, updatedAt, ingestion: { files, events, lastFileAt } };
}

/** Runs a registry call, turning its errors into typed use-case errors. */
async function registry<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ConnectorError || err instanceof ConfigError || err instanceof OnboardingError) throw new UseCaseError(err.message);
    throw err;
  }
}

/** The connector of that name; not-found names the ones there are. */
export async function findConnector(store: Store, name: string): Promise<Connector> {
  try {
    return await getConnector(store, name);
  } catch (err) {
    // A stored connector whose settings no longer validate is there, but unusable until edited.
    if (err instanceof ConnectorError) throw new UseCaseError(err.message, (await store.connectors.get(name)) ? 'invalid-input' : 'not-found');
    throw err;
  }
}

export type ConnectorFields = Omit<ConnectorFlags, 'name' | 'externalId'>;

export async function createConnector(store: Store, input: ConnectorFields & { name: string; externalId?: string; trail?: TrailMode }, now?: Date): Promise<Connector> {
  const { trail, ...flags } = input;
  return registry(() => addConnector(store, flags, { ...(trail ? { trail } : {}), ...(now ? { now } : {}) }));
}

/** Changes the given fields ("" clears an optional one); name and ExternalId stay. */
export async function changeConnector(store: Store, name: string, changes: ConnectorFields & { trail?: TrailMode }, now?: Date): Promise<Connector> {
  if (Object.values(changes).every((v) => v === undefined)) throw new UseCaseError('nothing to change: give the fields to set, e.g. --queue-url U');
  await findConnector(store, name);
  return registry(() => editConnector(store, name, changes, now));
}

export async function enableConnector(store: Store, name: string, enabled: boolean, now?: Date): Promise<Connector> {
  await findConnector(store, name);
  return registry(() => setConnectorEnabled(store, name, enabled, now));
}

/** Removes a connector and what only it brought in; what was deleted, per kind of row. */
export async function deleteConnector(store: Store, name: string): Promise<{ connector: string; deleted: ConnectorRemoval }> {
  await findConnector(store, name);
  return { connector: name, deleted: await registry(() => removeConnector(store, name)) };
}

/** The mode a connector calls for when none is given: its trail (existing or new) and its type. */
export function defaultMode(c: Connector): OnboardingMode {
  if (c.trail === 'new') return c.type === 'organization' ? 'organization' : 'new-trail';
  return 'existing-trail';
}

/** The CloudFormation of `trailscope onboard cloudformation` for a connector. */
export async function connectorTemplate(store: Store, name: string, opts: { mode?: OnboardingMode | undefined; principalArn?: string | undefined } = {}): Promise<{ connector: Connector; mode: OnboardingMode; template: OnboardingTemplate }> {
  const connector = await findConnector(store, name);
  const mode = opts.mode ?? defaultMode(connector);
  const template = await registry(async () => cloudFormationTemplate(connector, mode, opts.principalArn ? { principalArn: opts.principalArn } : {}));
  return { connector, mode, template };
}

/** Runs the doctor for one connector now and keeps the run (connector show, the console). */
export async function doctorConnector(store: Store, c: Connector, opts: Omit<DoctorOptions, 'store'> = {}): Promise<DoctorRun> {
  const run = await runDoctor(ingestConfigOf(c), { ...opts, store });
  await store.connectors.recordDoctorRun(run);
  return run;
}
