/**
 * Everything before data flows: the emulator, the organization, the connector pointing at the
 * emulator, and the IAM snapshots.
 */
import { addConnector } from '../connectors/index.js';
import type { Connector } from '../connectors/index.js';
import type { ImportSummary } from '../iam/index.js';
import type { Store } from '../store/index.js';
import { startDemoEmulator, useEmulatorCredentials } from './emulator.js';
import type { DemoEmulator } from './emulator.js';
import { importDemoIam } from './iam.js';
import { generateDemoOrganization } from './organization.js';
import type { DemoOrganization, DemoScale } from './organization.js';

export const DEMO_CONNECTOR = 'demo';

/** The demo adds its own connector, events and snapshots, and compares counts: it needs a store of its own. */
export class DemoStoreNotEmptyError extends Error {
  override readonly name = 'DemoStoreNotEmptyError';
}

export async function assertEmptyStore(store: Store): Promise<void> {
  const [stats, connectors, accounts] = await Promise.all([store.events.stats(), store.connectors.list(), store.iam.accounts()]);
  if (stats.events > 0 || connectors.length > 0 || accounts.length > 0) {
    throw new DemoStoreNotEmptyError(
      `${store.location} already holds data (${stats.events} events, ${connectors.length} connectors, IAM of ${accounts.length} accounts); the demo needs an empty database: give another --db, or leave --db out to use the demo's own file`,
    );
  }
}

export interface PreparedDemo {
  emulator: DemoEmulator;
  organization: DemoOrganization;
  connector: Connector;
  iam: ImportSummary;
}

export async function prepareDemo(store: Store, o: { seed: string; scale: DemoScale; now: Date }): Promise<PreparedDemo> {
  await assertEmptyStore(store);
  useEmulatorCredentials();
  const organization = await generateDemoOrganization(o.seed, o.scale, o.now);
  const emulator = await startDemoEmulator();
  try {
    const connector = await addConnector(store, {
      name: DEMO_CONNECTOR,
      type: 'organization',
      organizationId: organization.summary.organizationId,
      bucket: emulator.bucket,
      queueUrl: emulator.queueUrl,
      region: emulator.region,
      endpointUrl: emulator.endpoint,
    });
    const iam = await importDemoIam(store, organization.iamFiles, organization.summary.end);
    return { emulator, organization, connector, iam };
  } catch (err) {
    await emulator.stop();
    throw err;
  }
}
