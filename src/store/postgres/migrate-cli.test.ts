/**
 * `trailscope migrate`, `retention` and the status fields end to end through the CLI: a SQLite
 * file into PostgreSQL and back, a refused non-empty target, progress lines when stderr is not a
 * terminal, retention set on import and applied by `retention --apply`.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../../test/support/cli-run.js';
import { sharedData } from '../../../test/support/paths.js';
import { TestDatabases, unreachableReason } from './test-server.test-helpers.js';

const skip = await unreachableReason();
const databases = new TestDatabases();
const dir = mkdtempSync(join(tmpdir(), 'trailscope-migrate-cli-'));
after(async () => {
  await databases.dropAll();
  rmSync(dir, { recursive: true, force: true });
});

const FLAWS2 = sharedData('flaws2-cloudtrail');

describe('trailscope migrate and retention', { skip: skip ?? false }, () => {
  it('migrates a SQLite file into PostgreSQL and back, with progress and counts; refuses a non-empty target', async () => {
    const a = join(dir, 'a.db');
    const b = join(dir, 'b.db');
    const url = await databases.freshDatabase();
    assert.equal((await runCli(['import', FLAWS2, '--db', a])).code, 0);

    const there = await runCli(['migrate', '--from', a, '--to', url]);
    assert.equal(there.code, 0, there.err);
    assert.match(there.err, /^migrate: events \d+\/\d+$/m, 'a plain progress line per phase when stderr is not a terminal');
    assert.ok(!there.err.includes('\r') && !there.err.includes('\u001b'), 'no terminal control sequences in a log');
    assert.match(there.out, /^events\s+\d+\s+\d+\s+ok$/m);
    assert.doesNotMatch(there.out, /DIFFERENT/);

    const again = await runCli(['migrate', '--from', a, '--to', url]);
    assert.equal(again.code, 2);
    assert.match(again.err, /not empty.*--append/);
    assert.equal((await runCli(['migrate', '--from', a, '--to', url, '--append'])).code, 0);

    const back = await runCli(['migrate', '--from', url, '--to', b, '--json']);
    assert.equal(back.code, 0, back.err);
    const doc = JSON.parse(back.out) as { ok: boolean; counts: { what: string; source: number; target: number; ok: boolean | null }[] };
    assert.equal(doc.ok, true);
    const events = doc.counts.find((c) => c.what === 'events')!;
    assert.ok(events.source > 0 && events.source === events.target);

    const eventsA = JSON.parse((await runCli(['events', '--json', '--db', a])).out) as unknown[];
    const eventsB = JSON.parse((await runCli(['events', '--json', '--db', b])).out) as unknown[];
    assert.deepEqual(eventsB, eventsA);

    const status = JSON.parse((await runCli(['status', '--json', '--db', url])).out) as { database: { sizeBytes: number; retentionDays: number | null; oldestEventTime: string } };
    assert.ok(status.database.sizeBytes > 0);
    assert.equal(status.database.retentionDays, null);
    assert.equal(status.database.oldestEventTime, '2018-11-28T22:31:59Z');
  });

  it('retention: set on import (applied when the import ends), shown and applied by `retention`, reported by status', async () => {
    const c = join(dir, 'c.db');
    const imported = await runCli(['import', FLAWS2, '--db', c, '--retention-days', '30']);
    assert.equal(imported.code, 0, imported.err);
    // flaws2 is from 2018: a 30-day retention removes all of it once the import has committed.
    assert.match(imported.err, /retention removed \d+ events before/);
    const status = JSON.parse((await runCli(['status', '--json', '--db', c])).out) as { store: { events: number }; database: { retentionDays: number; oldestEventTime: string | null } };
    assert.equal(status.store.events, 0);
    assert.deepEqual([status.database.retentionDays, status.database.oldestEventTime], [30, null]);
    const text = (await runCli(['status', '--db', c])).out;
    assert.match(text, /^database: .*retention: 30 days, oldest event kept -$/m);

    const d = join(dir, 'd.db');
    assert.equal((await runCli(['import', FLAWS2, '--db', d])).code, 0);
    const shown = JSON.parse((await runCli(['retention', '--json', '--db', d])).out) as { retentionDays: number | null; sizeBytes: number };
    assert.equal(shown.retentionDays, null);
    assert.ok(shown.sizeBytes > 0);
    // One day before a time inside the sample: the older part goes, the rest stays.
    const applied = JSON.parse((await runCli(['retention', '--days', '1', '--apply', '--now', '2018-11-29T23:00:00Z', '--json', '--db', d])).out) as {
      retentionDays: number;
      cutoff: string;
      oldestEventTime: string;
      applied: { events: number };
    };
    assert.equal(applied.retentionDays, 1);
    assert.equal(applied.cutoff, '2018-11-28T23:00:00.000Z');
    assert.ok(applied.applied.events > 0);
    assert.ok(applied.oldestEventTime >= '2018-11-28T23:00:00Z');
    const left = JSON.parse((await runCli(['events', '--json', '--db', d])).out) as { eventTime: string }[];
    assert.ok(left.length > 0 && left.every((e) => e.eventTime >= '2018-11-28T23:00:00Z'));
  });
});
