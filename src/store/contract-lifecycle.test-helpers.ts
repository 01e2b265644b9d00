/**
 * Store contract, the store as a whole: reopening, two connections to one store, and size on
 * disk. Part of runStoreContract (./contract.test-helpers.ts).
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import type { Store } from './types.js';
import { syntheticEvents } from './testing/fixtures.js';
import { fileRecord, makeEvent } from './contract-support.test-helpers.js';
import type { ContractContext } from './contract-support.test-helpers.js';
import { commitFile, insertEvents } from './testing/write.js';

export function lifecycleContract({ name, h, open }: ContractContext): void {
  it('reopening keeps the data and changes nothing (migrations are idempotent)', async () => {
    const location = await h.fresh();
    const first = await h.open(location);
    const e = makeEvent();
    await commitFile(first.events, fileRecord('k'), [e]);
    await first.iam.putSnapshot({ accountId: '1', kind: 'k', importedAt: '2026-03-01T00:00:00Z', source: 's', document: { a: 1 } });
    await first.close();
    const second = await h.open(location);
    try {
      assert.deepStrictEqual(await second.events.query({}), [e]);
      assert.equal((await second.files.get('file', 'k'))?.newEvents, 1);
      assert.deepEqual(await insertEvents(second.events, [e]), { inserted: 0, duplicates: 1 });
      assert.equal((await second.iam.latest('k')).length, 1);
    } finally {
      await second.close();
    }
  });

  it('two connections to one store: the second sees what the first commits', async () => {
    const location = await h.fresh();
    const writer = await open(location);
    const reader = await open(location);
    assert.equal((await reader.events.stats()).events, 0);
    const events = syntheticEvents(500, { seed: 3 });
    await commitFile(writer.events, fileRecord('shared'), events);
    assert.equal((await reader.events.stats()).events, 500);
    assert.deepStrictEqual((await reader.events.query({ limit: 1 }))[0], events[0]);
    // and the other way round, names first seen by the other connection included
    const e = makeEvent({ principalArn: 'arn:aws:iam::111111111111:role/from-reader' });
    await insertEvents(reader.events, [e]);
    assert.deepStrictEqual(await writer.events.query({ principalArn: e.principalArn! }), [e]);
    assert.equal((await writer.events.usage({ principalArn: e.principalArn! }))[0]!.count, 1);
  });

  if (h.diskBytes) {
    const diskBytes = h.diskBytes;
    describe('compactness', () => {
      let store: Store;
      let location: string;
      const N = 20_000;
      before(async () => {
        location = await h.fresh();
        store = await open(location);
        const events = syntheticEvents(N, { seed: 5, principals: 200, accounts: 5 });
        // CloudTrail files of typical size: a few dozen to a few hundred events.
        let i = 0;
        let f = 0;
        while (i < events.length) {
          const size = 20 + ((f * 37) % 180);
          const batch = events.slice(i, i + size);
          await commitFile(store.events, fileRecord(`AWSLogs/111111111111/CloudTrail/us-east-1/2026/01/01/f${f}.json.gz`, { eventCount: batch.length }), batch);
          i += size;
          f++;
        }
      });
      it(`stays at or under 400 bytes per typical management event on disk`, async () => {
        const bytes = await diskBytes(store, location);
        const perEvent = bytes / N;
        console.log(`# ${name}: ${perEvent.toFixed(1)} bytes/event over ${N} events`);
        assert.ok(perEvent <= 400, `${perEvent.toFixed(1)} bytes/event`);
      });
    });
  }
}
