/** The retention setting and its schedule, on a SQLite store (the backends' part is in the contract suite). */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from './index.js';
import { applyStoreRetention, getRetentionDays, RetentionSchedule, retentionCutoff, setRetentionDays } from './retention.js';
import type { RetentionResult } from './types.js';
import { makeEvent } from './contract-support.test-helpers.js';
import { insertEvents } from './testing/write.js';

const dir = mkdtempSync(join(tmpdir(), 'trailscope-retention-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const NOW = new Date('2026-03-31T00:00:00Z');
const DAY = 86_400_000;

describe('retention setting and schedule', () => {
  it('keeps everything by default; a setting is kept by the store and 0 clears it', async () => {
    const store = await openStore(join(dir, 'setting.db'));
    try {
      assert.equal(await getRetentionDays(store), null);
      assert.equal(await applyStoreRetention(store, NOW), null);
      await setRetentionDays(store, 90);
      assert.equal(await getRetentionDays(store), 90);
      assert.equal(retentionCutoff(90, NOW), '2025-12-31T00:00:00.000Z');
      await setRetentionDays(store, 0);
      assert.equal(await getRetentionDays(store), null);
      await assert.rejects(() => setRetentionDays(store, 1.5));
    } finally {
      await store.close();
    }
  });

  it('a schedule applies the setting of the moment, and once more when stopped', async () => {
    const store = await openStore(join(dir, 'schedule.db'));
    try {
      const old = makeEvent({ t: NOW.getTime() - 40 * DAY });
      const recent = makeEvent({ t: NOW.getTime() - DAY });
      await insertEvents(store.events, [old, recent]);
      const results: RetentionResult[] = [];
      let firstPass: () => void = () => {};
      const passed = new Promise<void>((resolve) => (firstPass = resolve));
      await setRetentionDays(store, 30);
      const schedule = new RetentionSchedule(store, {
        firstAfterMs: 0,
        now: () => NOW,
        onResult: (r) => {
          results.push(r);
          firstPass();
        },
        onError: (err) => assert.fail(err),
      }).start();
      await passed;
      assert.equal(results[0]!.events, 1);
      assert.deepEqual((await store.events.query({})).map((e) => e.eventID), [recent.eventID]);
      // Changed while running: the final pass on stop uses the new setting.
      await setRetentionDays(store, 0);
      await insertEvents(store.events, [makeEvent({ t: NOW.getTime() - 50 * DAY })]);
      await schedule.stop();
      assert.equal(results.length, 1, 'keep-everything removes nothing');
      assert.equal((await store.events.stats()).events, 2);
    } finally {
      await store.close();
    }
  });
});
