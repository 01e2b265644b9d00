import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openStore } from '../index.js';
import { HOUR, T0, makeEvent } from '../contract-support.test-helpers.js';
import { insertEvents } from '../testing/write.js';
import { DAY_MS } from '../evidence-window.js';
import { Dictionary } from './dictionary.js';
import { refreshEvidenceDays } from './evidence-daily.js';

const dir = mkdtempSync(join(tmpdir(), 'trailscope-evidence-daily-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const firstDay = Math.floor(T0 / DAY_MS);
const call = (day: number, action: 'iam:PassRole' | 'iam:CreateAccessKey') =>
  makeEvent({
    t: T0 + day * DAY_MS + 3 * HOUR,
    principalArn: 'arn:aws:iam::111111111111:user/dev',
    eventSource: 'iam.amazonaws.com',
    eventName: action.slice(4),
    actions: [action],
  });

/** A store of `days` days with a PassRole and a CreateAccessKey call each, open on a plain connection. */
async function storeOf(name: string, days: number): Promise<Database.Database> {
  const path = join(dir, name, 'store.db');
  const store = await openStore(path);
  await insertEvents(store.events, Array.from({ length: days }, (_, d) => [call(d, 'iam:PassRole'), call(d, 'iam:CreateAccessKey')]).flat());
  await store.close();
  return new Database(path);
}

const failDay = (db: Database.Database, day: number) =>
  db.exec(`CREATE TEMP TRIGGER day_fails BEFORE INSERT ON evidence_daily WHEN NEW.day = ${day} BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`);
const dirtyDays = (db: Database.Database) => db.prepare<[number], number>('SELECT day - ? FROM evidence_daily_dirty ORDER BY day').pluck().all(firstDay);
const summarisedDays = (db: Database.Database) => db.prepare<[number], number>('SELECT DISTINCT day - ? FROM evidence_daily ORDER BY day').pluck().all(firstDay);

describe('sqlite evidence summary rebuild', () => {
  it('commits a week of days at a time: a failing day leaves the weeks before it summarised and its own still marked', async () => {
    const db = await storeOf('batches', 10);
    try {
      failDay(db, firstDay + 8);
      assert.throws(() => refreshEvidenceDays(db, new Dictionary(db), ['iam:PassRole']), /disk is full/);
      assert.deepEqual(summarisedDays(db), [0, 1, 2, 3, 4, 5, 6]);
      assert.deepEqual(dirtyDays(db), [7, 8, 9]);
      db.exec('DROP TRIGGER day_fails');
      assert.equal(refreshEvidenceDays(db, new Dictionary(db), ['iam:PassRole']), true);
      assert.deepEqual(summarisedDays(db), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      assert.deepEqual(dirtyDays(db), []);
    } finally {
      db.close();
    }
  });

  it('a newly asked action marks the days and keeps their rows, which still answer for the actions tracked before', async () => {
    const db = await storeOf('widen', 3);
    try {
      assert.equal(refreshEvidenceDays(db, new Dictionary(db), ['iam:PassRole']), true);
      const rows = () => db.prepare('SELECT day, principal, api, actions, n, samples FROM evidence_daily ORDER BY day, api').all();
      const before = rows();
      assert.equal(before.length, 3, 'one PassRole group a day');
      failDay(db, firstDay + 1);
      assert.throws(() => refreshEvidenceDays(db, new Dictionary(db), ['iam:PassRole', 'iam:CreateAccessKey']), /disk is full/);
      assert.deepEqual(db.prepare('SELECT action FROM evidence_tracked ORDER BY action').pluck().all(), ['iam:CreateAccessKey', 'iam:PassRole']);
      assert.deepEqual(dirtyDays(db), [0, 1, 2]);
      assert.deepEqual(rows(), before, 'the PassRole rows are still there');
      db.exec('DROP TRIGGER day_fails');
      assert.equal(refreshEvidenceDays(db, new Dictionary(db), ['iam:CreateAccessKey']), true);
      assert.equal(rows().length, 6, 'both actions summarised on every day');
      assert.deepEqual(dirtyDays(db), []);
    } finally {
      db.close();
    }
  });
});
