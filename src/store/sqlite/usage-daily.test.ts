import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openStore } from '../index.js';
import { HOUR, MIN, T0, makeEvent } from '../contract-support.test-helpers.js';
import { insertEvents } from '../testing/write.js';
import { refreshDailyUsage } from './usage-daily.js';

const dir = mkdtempSync(join(tmpdir(), 'trailscope-usage-daily-sqlite-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const DAY_HOURS = 24;
const firstDay = Math.floor(T0 / HOUR / DAY_HOURS);

describe('sqlite daily usage rollup', () => {
  it('commits each day on its own: a day that fails leaves the days before it rolled up and itself still marked', async () => {
    const path = join(dir, 'store.db');
    const store = await openStore(path);
    // four days, one call every six hours
    await insertEvents(
      store.events,
      Array.from({ length: 16 }, (_, i) => makeEvent({ t: T0 + i * 6 * HOUR + MIN, principalArn: 'arn:aws:iam::111111111111:role/app', actions: ['s3:GetObject'] })),
    );
    await store.close();

    const db = new Database(path);
    try {
      const dirty = () => db.prepare<[], number>('SELECT day FROM usage_daily_dirty ORDER BY day').pluck().all();
      const rolledUp = () => db.prepare<[], number>('SELECT DISTINCT day FROM usage_daily ORDER BY day').pluck().all();
      const days = [firstDay, firstDay + 1, firstDay + 2, firstDay + 3];
      assert.deepEqual(dirty(), days);
      // the third day's rebuild fails, as a full disk would make it
      db.exec(`CREATE TEMP TRIGGER third_day_fails BEFORE INSERT ON usage_daily WHEN NEW.day = ${days[2]} BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`);
      assert.throws(() => refreshDailyUsage(db), /disk is full/);
      assert.deepEqual(rolledUp(), days.slice(0, 2), 'the days before the failure are committed');
      assert.deepEqual(dirty(), days.slice(2), 'the failed day and those after it stay marked');

      db.exec('DROP TRIGGER third_day_fails');
      assert.equal(refreshDailyUsage(db), true);
      assert.deepEqual(rolledUp(), days);
      assert.deepEqual(dirty(), []);
      assert.equal(db.prepare('SELECT sum(n) FROM usage_daily').pluck().get(), 16);
    } finally {
      db.close();
    }
  });
});
