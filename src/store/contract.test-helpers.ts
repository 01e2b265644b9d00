/**
 * The Store contract as a reusable test suite: every implementation (SQLite, PostgreSQL) runs
 * the same tests through runStoreContract. Only the public Store interface is used here.
 *
 * The tests are split by area: ./contract-events, ./contract-usage, ./contract-state,
 * ./contract-lifecycle, ./contract-detections, ./contract-coverage, ./contract-connectors, ./contract-findings and ./contract-backfill (.test-helpers.ts), with shared pieces in ./contract-support.
 */
import { describe, after } from 'node:test';
import type { Store } from './types.js';
import type { ContractHarness } from './contract-support.test-helpers.js';
import { eventsContract } from './contract-events.test-helpers.js';
import { usageContract } from './contract-usage.test-helpers.js';
import { evidenceContract } from './contract-evidence.test-helpers.js';
import { stateContract } from './contract-state.test-helpers.js';
import { lifecycleContract } from './contract-lifecycle.test-helpers.js';
import { detectionsContract } from './contract-detections.test-helpers.js';
import { coverageContract } from './contract-coverage.test-helpers.js';
import { connectorsContract } from './contract-connectors.test-helpers.js';
import { findingsContract } from './contract-findings.test-helpers.js';
import { backfillContract } from './contract-backfill.test-helpers.js';
import { retentionContract } from './contract-retention.test-helpers.js';

export { makeEvent } from './contract-support.test-helpers.js';
export type { ContractHarness } from './contract-support.test-helpers.js';

export function runStoreContract(name: string, h: ContractHarness): void {
  describe(`Store contract: ${name}`, () => {
    const opened: Store[] = [];
    const open = async (location?: string) => {
      const s = await h.open(location ?? (await h.fresh()));
      opened.push(s);
      return s;
    };
    after(async () => {
      for (const s of opened) await s.close();
    });

    const ctx = { name, h, open };
    eventsContract(ctx);
    usageContract(ctx);
    evidenceContract(ctx);
    stateContract(ctx);
    lifecycleContract(ctx);
    detectionsContract(ctx);
    coverageContract(ctx);
    connectorsContract(ctx);
    findingsContract(ctx);
    backfillContract(ctx);
    retentionContract(ctx);
  });
}
