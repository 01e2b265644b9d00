/**
 * The Store contract as a reusable test suite: every implementation (SQLite, PostgreSQL) runs
 * the same tests through runStoreContract. Only the public Store interface is used here.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { NormalizedEvent } from '../model/index.js';
import type { FileRecord, Store, UsageRow } from './types.js';
import { realRecords, syntheticEvents, toEvent } from './testing/fixtures.js';

export interface ContractHarness {
  /** A new, empty store location (a file path, a database URL) for one test. */
  fresh(): Promise<string>;
  open(location: string): Promise<Store>;
  /** Bytes the store occupies on disk, when the implementation can tell (after settling). */
  diskBytes?(store: Store, location: string): Promise<number>;
}

const T0 = Date.parse('2026-03-01T00:00:00Z');
const iso = (ms: number) => {
  const s = new Date(ms).toISOString();
  return s.endsWith('.000Z') ? `${s.slice(0, 19)}Z` : s;
};
const MIN = 60_000;
const HOUR = 3_600_000;

let counter = 0;
/** A small hand-made event; fields as the parser would emit them. */
export function makeEvent(over: Partial<NormalizedEvent> & { t?: number } = {}): NormalizedEvent {
  const n = ++counter;
  const { t, ...rest } = over;
  const eventTime = iso(t ?? T0 + n * MIN);
  const eventID = rest.eventID ?? `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
  const principalArn = rest.principalArn === undefined ? 'arn:aws:iam::111111111111:role/app' : rest.principalArn;
  const errorCode = rest.errorCode ?? null;
  const raw: Record<string, unknown> = {
    eventVersion: '1.08',
    userIdentity: { type: 'AssumedRole', arn: `${principalArn}/s`, accountId: '111111111111' },
    eventTime,
    eventSource: rest.eventSource ?? 's3.amazonaws.com',
    eventName: rest.eventName ?? 'ListBuckets',
    awsRegion: 'eu-west-1',
    sourceIPAddress: '198.51.100.7',
    userAgent: 'aws-cli/2.15.0',
    ...(errorCode ? { errorCode, errorMessage: 'denied' } : {}),
    requestParameters: null,
    responseElements: null,
    eventID,
    readOnly: true,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: rest.recipientAccountId === undefined ? '111111111111' : rest.recipientAccountId,
    eventCategory: 'Management',
  };
  return {
    eventID,
    eventTime,
    eventVersion: '1.08',
    eventSource: 's3.amazonaws.com',
    eventName: 'ListBuckets',
    eventType: 'AwsApiCall',
    eventCategory: 'Management',
    awsRegion: 'eu-west-1',
    recipientAccountId: '111111111111',
    readOnly: true,
    errorCode,
    errorMessage: errorCode ? 'denied' : null,
    sourceIPAddress: '198.51.100.7',
    userAgent: 'aws-cli/2.15.0',
    identityType: 'AssumedRole',
    principalArn,
    principalAccountId: '111111111111',
    sessionName: 's',
    invokedBy: null,
    accessKeyId: null,
    mfaAuthenticated: null,
    actions: ['s3:ListAllMyBuckets'],
    resources: [],
    raw,
    ...rest,
  };
}

function fileRecord(key: string, over: Partial<FileRecord> = {}): FileRecord {
  return {
    source: 'file',
    key,
    size: 1234,
    etag: 'abc',
    status: 'done',
    kind: 'events',
    eventCount: 0,
    newEvents: 0,
    connector: 'import',
    accountId: '111111111111',
    processedAt: '2026-03-02T00:00:00.000Z',
    ...over,
  };
}

/** Usage computed the slow obvious way from the events themselves, for comparison. */
function bruteUsage(events: NormalizedEvent[], since?: number, until?: number): Map<string, { count: number; first: string; last: string; ids: Set<string> }> {
  const out = new Map<string, { count: number; first: string; last: string; ids: Set<string> }>();
  for (const e of events) {
    const t = Date.parse(e.eventTime);
    if (since !== undefined && t < since) continue;
    if (until !== undefined && t >= until) continue;
    if (!e.principalArn) continue;
    for (const a of new Set(e.actions)) {
      const key = `${e.principalArn}|${a}|${e.errorCode === null}`;
      const g = out.get(key) ?? { count: 0, first: e.eventTime, last: e.eventTime, ids: new Set<string>() };
      g.count++;
      if (Date.parse(e.eventTime) < Date.parse(g.first)) g.first = e.eventTime;
      if (Date.parse(e.eventTime) > Date.parse(g.last)) g.last = e.eventTime;
      g.ids.add(e.eventID);
      out.set(key, g);
    }
  }
  return out;
}

function usageKey(r: UsageRow): string {
  return `${r.principalArn}|${r.action}|${r.success}`;
}

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

    it('round-trips every real record: the event and its raw record come back deep-equal', async () => {
      const store = await open();
      const firstById = new Map<string, NormalizedEvent>();
      for (const raw of realRecords()) {
        const e = toEvent(structuredClone(raw));
        if (!firstById.has(e.eventID)) firstById.set(e.eventID, e);
      }
      const events = [...firstById.values()];
      assert.ok(events.length > 400, `expected hundreds of real records, got ${events.length}`);
      const result = await store.events.insertEvents(events);
      assert.deepEqual(result, { inserted: events.length, duplicates: 0 });
      const back = await store.events.query({});
      assert.equal(back.length, events.length);
      for (const b of back) assert.deepStrictEqual(b, firstById.get(b.eventID));
      // and in eventTime order
      for (let i = 1; i < back.length; i++) assert.ok(back[i - 1]!.eventTime <= back[i]!.eventTime);
    });

    it('keeps hostile and odd content exactly, and treats it as data', async () => {
      const store = await open();
      const evil = makeEvent({
        eventID: "x'); DROP TABLE events; --",
        principalArn: "arn:aws:iam::111111111111:user/o'brien\"\n",
        eventName: 'Get"Object\u0000',
        eventSource: 'weird source\nwith newline',
        sessionName: '\u{1F600}',
        actions: ['s3:GetObject', 's3:GetObject'],
        resources: ['arn:aws:s3:::b/ke\ny'],
        userAgent: 'not the raw one',
        eventTime: '2026-03-01T00:00:00.123Z',
      });
      evil.raw = { ...evil.raw, eventID: 0, nested: { list: [1, 'two', null, { deep: true }], text: 'line1\nline2\u2028' } };
      const other = makeEvent({ eventID: 'E1' });
      other.raw = { ...other.raw, eventID: 'something else' };
      await store.events.insertEvents([evil, other]);
      const [a, b] = await store.events.query({});
      assert.deepStrictEqual(a, evil);
      assert.deepStrictEqual(b, other);
      assert.equal((await store.events.query({ principalArn: evil.principalArn! })).length, 1);
      assert.equal((await store.events.stats()).events, 2);
    });

    it('deduplicates by eventID across calls and within one batch', async () => {
      const store = await open();
      const a = makeEvent();
      const b = makeEvent();
      assert.deepEqual(await store.events.insertEvents([a, b, a]), { inserted: 2, duplicates: 1 });
      assert.deepEqual(await store.events.insertEvents([b, a]), { inserted: 0, duplicates: 2 });
      const c = makeEvent();
      const changedA = { ...a, eventName: 'Changed' };
      assert.deepEqual(await store.events.insertEvents([changedA, c]), { inserted: 1, duplicates: 1 });
      const all = await store.events.query({});
      assert.deepEqual(
        all.map((e) => e.eventID),
        [a, b, c].map((e) => e.eventID),
      );
      assert.equal(all[0]!.eventName, 'ListBuckets', 'the first copy wins');
      assert.equal((await store.events.stats()).events, 3);
    });

    it('commitFile stores the events and the file record together, counting new events', async () => {
      const store = await open();
      const events = [makeEvent(), makeEvent(), makeEvent()];
      const file = fileRecord('AWSLogs/111111111111/CloudTrail/eu-west-1/2026/03/01/f1.json.gz', { eventCount: 3 });
      assert.deepEqual(await store.events.commitFile(file, events), { inserted: 3, duplicates: 0 });
      const rec = await store.files.get(file.source, file.key);
      assert.deepEqual(rec, { ...file, newEvents: 3, error: null });
      // SQS redelivery of the same file: all duplicates, the record says no new events.
      assert.deepEqual(await store.events.commitFile(file, events), { inserted: 0, duplicates: 3 });
      assert.equal((await store.files.get(file.source, file.key))!.newEvents, 0);
      assert.equal((await store.events.stats()).events, 3);
      assert.equal((await store.events.stats()).files, 1);
    });

    it('commitFile is atomic: a failure part-way leaves neither events nor the file record', async () => {
      const store = await open();
      const fresh = makeEvent({ principalArn: 'arn:aws:iam::111111111111:role/only-in-failed-batch', actions: ['newsvc:NewAction'] });
      const events = [makeEvent(), fresh, makeEvent()];
      // A file record the store must reject (key is required) after the events are written.
      const bad = fileRecord(null as unknown as string);
      await assert.rejects(store.events.commitFile(bad, events));
      assert.equal((await store.events.stats()).events, 0);
      assert.equal(await store.files.count(), 0);
      // A raw record that cannot be serialised, in the middle of the batch.
      const poisoned = makeEvent();
      poisoned.raw = { ...poisoned.raw, big: 10n };
      const file = fileRecord('k1');
      await assert.rejects(store.events.commitFile(file, [events[0]!, poisoned, events[2]!]));
      assert.equal((await store.events.stats()).events, 0);
      assert.equal(await store.files.get('file', 'k1'), undefined);
      // The store is still usable and knows nothing of the failed attempts' new names.
      assert.deepEqual(await store.events.commitFile(file, events), { inserted: 3, duplicates: 0 });
      const got = await store.events.query({ principalArn: fresh.principalArn!, action: 'newsvc:NewAction' });
      assert.deepStrictEqual(got, [fresh]);
      const usage = await store.events.usage({ principalArn: fresh.principalArn! });
      assert.equal(usage.length, 1);
      assert.equal(usage[0]!.count, 1);
    });

    it('commitFiles (when implemented) commits several files at once, all or nothing', async (t) => {
      const store = await open();
      if (!store.events.commitFiles) {
        t.skip('commitFiles is optional and not implemented here');
        return;
      }
      const [a, b, c] = [makeEvent(), makeEvent(), makeEvent()];
      const results = await store.events.commitFiles([
        { file: fileRecord('f1', { eventCount: 2 }), events: [a, b] },
        { file: fileRecord('f2', { eventCount: 2 }), events: [b, c] },
      ]);
      assert.deepEqual(results, [
        { inserted: 2, duplicates: 0 },
        { inserted: 1, duplicates: 1 },
      ]);
      assert.equal((await store.files.get('file', 'f2'))?.newEvents, 1);
      assert.equal((await store.events.stats()).events, 3);
      const d = makeEvent();
      await assert.rejects(
        store.events.commitFiles([
          { file: fileRecord('f3'), events: [d] },
          { file: fileRecord(null as unknown as string), events: [makeEvent()] },
        ]),
      );
      assert.equal(await store.files.get('file', 'f3'), undefined, 'the first file of a failed batch is not recorded');
      assert.equal((await store.events.stats()).events, 3);
    });

    it('filters queries by time, account, principal, action and errors; limits and orders', async () => {
      const store = await open();
      const p1 = 'arn:aws:iam::111111111111:role/p1';
      const p2 = 'arn:aws:iam::222222222222:user/p2';
      const evs = [
        makeEvent({ t: T0, principalArn: p1, actions: ['s3:ListAllMyBuckets'] }),
        makeEvent({ t: T0 + HOUR, principalArn: p1, actions: ['iam:PassRole', 'ec2:RunInstances'], errorCode: 'AccessDenied' }),
        makeEvent({ t: T0 + 2 * HOUR, principalArn: p2, recipientAccountId: '222222222222', actions: ['ec2:RunInstances'] }),
        makeEvent({ t: T0 + 3 * HOUR, principalArn: null, identityType: 'AWSService', actions: [] }),
      ];
      await store.events.insertEvents([...evs].reverse());
      const ids = (list: NormalizedEvent[]) => list.map((e) => e.eventID);
      assert.deepEqual(ids(await store.events.query({})), ids(evs));
      assert.deepEqual(ids(await store.events.query({ newestFirst: true })), ids([...evs].reverse()));
      assert.deepEqual(ids(await store.events.query({ since: iso(T0 + HOUR), until: iso(T0 + 3 * HOUR) })), ids(evs.slice(1, 3)), 'since inclusive, until exclusive');
      assert.deepEqual(ids(await store.events.query({ accountId: '222222222222' })), ids([evs[2]!]));
      assert.deepEqual(ids(await store.events.query({ principalArn: p1 })), ids(evs.slice(0, 2)));
      assert.deepEqual(ids(await store.events.query({ action: 'ec2:RunInstances' })), ids(evs.slice(1, 3)));
      assert.deepEqual(ids(await store.events.query({ action: 'iam:PassRole', principalArn: p1 })), ids([evs[1]!]));
      assert.deepEqual(ids(await store.events.query({ errorsOnly: true })), ids([evs[1]!]));
      assert.deepEqual(ids(await store.events.query({ limit: 2, newestFirst: true })), ids([evs[3]!, evs[2]!]));
      assert.deepEqual(await store.events.query({ principalArn: 'arn:aws:iam::999999999999:role/never' }), []);
      assert.deepEqual(await store.events.query({ action: 'never:Seen' }), []);
      assert.deepEqual(await store.events.query({ accountId: '999999999999' }), []);
      const stats = await store.events.stats();
      assert.deepEqual(stats, { events: 4, files: 0, oldestEventTime: iso(T0), newestEventTime: iso(T0 + 3 * HOUR) });
    });

    it('iterates large results in order across pages, honouring limit and newestFirst', async () => {
      const store = await open();
      const events = syntheticEvents(2600, { seed: 7, spanMs: 2 * 86_400_000 });
      await store.events.insertEvents(events);
      const seen: string[] = [];
      let prev = '';
      for await (const e of store.events.iterate({})) {
        assert.ok(e.eventTime >= prev);
        prev = e.eventTime;
        seen.push(e.eventID);
      }
      assert.equal(seen.length, 2600);
      assert.equal(new Set(seen).size, 2600);
      let n = 0;
      let last = '9999';
      for await (const e of store.events.iterate({ newestFirst: true, limit: 1500 })) {
        assert.ok(e.eventTime <= last);
        last = e.eventTime;
        n++;
      }
      assert.equal(n, 1500);
      // Each event comes back deep-equal, from whichever block holds it.
      const byId = new Map(events.map((e) => [e.eventID, e]));
      for (const e of await store.events.query({ limit: 50, newestFirst: true })) assert.deepStrictEqual(e, byId.get(e.eventID));
    });

    it('aggregates usage per principal and action, success and failure apart, with samples and sessions', async () => {
      const store = await open();
      const p = 'arn:aws:iam::111111111111:role/deploy';
      const evs = [
        makeEvent({ t: T0 + 10 * MIN, principalArn: p, sessionName: 'alice', actions: ['s3:GetObject'], resources: ['arn:aws:s3:::b1/x'] }),
        makeEvent({ t: T0 + 20 * MIN, principalArn: p, sessionName: 'bob', actions: ['s3:GetObject'], resources: ['arn:aws:s3:::b2/y'] }),
        makeEvent({ t: T0 + 2 * HOUR, principalArn: p, sessionName: 'alice', actions: ['s3:GetObject'], resources: ['arn:aws:s3:::b1/x'], errorCode: 'AccessDenied' }),
        makeEvent({ t: T0 + 3 * HOUR, principalArn: p, sessionName: null, actions: ['ec2:RunInstances', 'iam:PassRole'], resources: [] }),
        makeEvent({ t: T0 + 4 * HOUR, principalArn: 'arn:aws:iam::111111111111:user/other', actions: ['s3:GetObject'] }),
      ];
      await store.events.insertEvents(evs.slice(0, 2));
      await store.events.insertEvents(evs.slice(2));
      const rows = await store.events.usage({ principalArn: p });
      const find = (action: string, success: boolean) => rows.find((r) => r.action === action && r.success === success);
      assert.equal(rows.length, 4);
      const ok = find('s3:GetObject', true)!;
      assert.equal(ok.count, 2);
      assert.equal(ok.firstSeen, evs[0]!.eventTime);
      assert.equal(ok.lastSeen, evs[1]!.eventTime);
      assert.equal(ok.accountId, '111111111111');
      assert.equal(ok.resource, null);
      // Evidence: the latest event comes first; every sample is one of the row's events.
      assert.equal(ok.sampleEventIds[0], evs[1]!.eventID);
      for (const id of ok.sampleEventIds) assert.ok([evs[0]!.eventID, evs[1]!.eventID].includes(id));
      assert.deepEqual(ok.sessionNames, ['alice', 'bob']);
      const failed = find('s3:GetObject', false)!;
      assert.equal(failed.count, 1);
      assert.deepEqual(failed.sampleEventIds, [evs[2]!.eventID]);
      assert.equal(find('iam:PassRole', true)!.count, 1);
      assert.equal(find('ec2:RunInstances', true)!.count, 1);
      // Windows are exact, not rounded to hours: [T0+15m, T0+2h) holds only evs[1].
      const windowed = await store.events.usage({ principalArn: p, since: iso(T0 + 15 * MIN), until: iso(T0 + 2 * HOUR) });
      assert.deepEqual(
        windowed.map((r) => [r.action, r.success, r.count, r.sampleEventIds]),
        [['s3:GetObject', true, 1, [evs[1]!.eventID]]],
      );
      // Per resource.
      const byRes = await store.events.usage({ principalArn: p, byResource: true });
      const res = byRes.filter((r) => r.action === 's3:GetObject' && r.success).map((r) => [r.resource, r.count]);
      assert.deepEqual(res, [
        ['arn:aws:s3:::b1/x', 1],
        ['arn:aws:s3:::b2/y', 1],
      ]);
      // Account filter is the principal's account.
      assert.equal((await store.events.usage({ accountId: '111111111111' })).length, 5);
      assert.deepEqual(await store.events.usage({ accountId: '999999999999' }), []);
    });

    it('usage over any window equals a brute-force count over the events', async () => {
      const store = await open();
      const events = syntheticEvents(3000, { seed: 11, spanMs: 3 * 86_400_000, principals: 25 });
      for (let i = 0; i < events.length; i += 300) await store.events.insertEvents(events.slice(i, i + 300));
      const start = Date.parse(events[0]!.eventTime);
      const windows: [number | undefined, number | undefined][] = [
        [undefined, undefined],
        [start + 90 * MIN + 1234, undefined],
        [undefined, start + 30 * HOUR + 17 * MIN],
        [start + 5 * HOUR + 59 * MIN, start + 6 * HOUR + MIN],
        [start + 13 * MIN, start + 40 * MIN],
        [start + 7 * HOUR, start + 50 * HOUR],
      ];
      for (const [since, until] of windows) {
        const rows = await store.events.usage({ since: since === undefined ? undefined : iso(since), until: until === undefined ? undefined : iso(until) });
        const expected = bruteUsage(events, since, until);
        assert.equal(rows.length, expected.size, `rows for window ${since}..${until}`);
        for (const r of rows) {
          const e = expected.get(usageKey(r));
          assert.ok(e, `unexpected row ${usageKey(r)}`);
          assert.equal(r.count, e.count, usageKey(r));
          assert.equal(r.firstSeen, e.first);
          assert.equal(r.lastSeen, e.last);
          assert.ok(r.sampleEventIds.length >= 1 && r.sampleEventIds.length <= 3);
          for (const id of r.sampleEventIds) assert.ok(e.ids.has(id), 'samples are events of the row');
        }
      }
    });

    it('lists principals with first activity and last successful activity', async () => {
      const store = await open();
      const p = 'arn:aws:iam::111111111111:role/p';
      const q = 'arn:aws:iam::222222222222:user/q';
      await store.events.insertEvents([
        makeEvent({ t: T0, principalArn: p }),
        makeEvent({ t: T0 + 5 * HOUR + 30 * MIN, principalArn: p, actions: [] }),
        makeEvent({ t: T0 + 6 * HOUR, principalArn: p, errorCode: 'AccessDenied' }),
        makeEvent({ t: T0 + HOUR, principalArn: q, principalAccountId: '222222222222', identityType: 'IAMUser', errorCode: 'AccessDenied' }),
      ]);
      const all = await store.events.principals({});
      assert.deepEqual(all, [
        { principalArn: p, accountId: '111111111111', identityType: 'AssumedRole', firstSeen: iso(T0), lastSeen: iso(T0 + 5 * HOUR + 30 * MIN) },
        { principalArn: q, accountId: '222222222222', identityType: 'IAMUser', firstSeen: iso(T0 + HOUR), lastSeen: null },
      ]);
      const before = await store.events.principals({ until: iso(T0 + 5 * HOUR + 30 * MIN) });
      assert.equal(before.find((r) => r.principalArn === p)!.lastSeen, iso(T0));
      assert.deepEqual(
        (await store.events.principals({ until: iso(T0 + 30 * MIN) })).map((r) => r.principalArn),
        [p],
      );
      assert.deepEqual(
        (await store.events.principals({ accountId: '222222222222' })).map((r) => r.principalArn),
        [q],
      );
    });

    it('files: get, upsert, prefix listing and counts', async () => {
      const store = await open();
      const base = 'AWSLogs/111111111111/CloudTrail/eu-west-1/2026/03/';
      await store.files.record(fileRecord(`${base}01/a.json.gz`));
      await store.files.record(fileRecord(`${base}01/b.json.gz`, { status: 'failed', error: 'AccessDenied', connector: 'sqs-main' }));
      await store.files.record(fileRecord(`${base}02/c.json.gz`, { kind: 'digest', status: 'skipped' }));
      await store.files.record(fileRecord(`${base}01%/d.json.gz`));
      await store.files.record({ source: 'other-bucket', key: `${base}01/a.json.gz`, status: 'done', kind: 'events', eventCount: 1, newEvents: 1, processedAt: '2026-03-02T00:00:00Z' });
      assert.deepEqual([...(await store.files.listKeys('file', `${base}01/`))].sort(), [`${base}01/a.json.gz`, `${base}01/b.json.gz`]);
      assert.equal((await store.files.listKeys('file', '')).size, 4);
      assert.equal((await store.files.listKeys('file', 'nope')).size, 0);
      assert.equal(await store.files.count(), 5);
      assert.equal(await store.files.count({ status: 'failed' }), 1);
      assert.equal(await store.files.count({ connector: 'sqs-main' }), 1);
      assert.equal(await store.files.count({ status: 'done', connector: 'import' }), 2);
      const minimal = await store.files.get('other-bucket', `${base}01/a.json.gz`);
      assert.equal(minimal?.size, undefined);
      assert.equal(minimal?.status, 'done');
      // re-recording replaces (a retried failed file becomes done)
      await store.files.record(fileRecord(`${base}01/b.json.gz`, { status: 'done', size: 99, etag: 'e2' }));
      const b = await store.files.get('file', `${base}01/b.json.gz`);
      assert.equal(b?.status, 'done');
      assert.equal(b?.size, 99);
      assert.equal(b?.etag, 'e2');
      assert.equal(b?.error, null);
      assert.equal(await store.files.get('file', 'missing'), undefined);
    });

    it('ingest state: quarantine, problems, counters and key/value state', async () => {
      const store = await open();
      const q = {
        connector: 'main',
        messageId: 'm1',
        body: '{"not":"s3"}',
        bucket: null,
        key: null,
        reason: 'not an S3 notification',
        fix: 'check the queue subscription',
        receiveCount: 1,
        leftForDlq: false,
        at: '2026-03-01T00:00:00Z',
      };
      await store.ingest.quarantine(q);
      await store.ingest.quarantine({ ...q, receiveCount: 3, leftForDlq: true, at: '2026-03-01T01:00:00Z' });
      await store.ingest.quarantine({ ...q, connector: 'other', messageId: 'm2' });
      assert.deepEqual(await store.ingest.listQuarantine('main'), [{ ...q, receiveCount: 3, leftForDlq: true, at: '2026-03-01T01:00:00Z' }]);
      assert.equal((await store.ingest.listQuarantine()).length, 2);

      const p = { connector: 'main', kind: 'access-denied', message: 'no s3:GetObject', fix: 'grant it', bucket: 'b', key: 'k', at: '2026-03-01T00:00:00Z' };
      await store.ingest.reportProblem(p);
      await store.ingest.reportProblem({ ...p, message: 'still no s3:GetObject', at: '2026-03-01T02:00:00Z' });
      await store.ingest.reportProblem({ connector: 'main', kind: 'queue-missing', message: 'gone', fix: 'create it', at: '2026-03-01T01:00:00Z' });
      const problems = await store.ingest.listProblems('main');
      assert.equal(problems.length, 2);
      assert.deepEqual(problems[0], { ...p, message: 'still no s3:GetObject', at: '2026-03-01T02:00:00Z' });
      assert.equal(problems[1]!.bucket, null);
      assert.deepEqual(await store.ingest.listProblems('nobody'), []);

      await store.ingest.bumpCounters({ connector: 'main', accountId: '111111111111', files: 1, events: 10, duplicates: 2, fileAt: '2026-03-01T00:05:00Z', fileKey: 'k1', newestEventTime: '2026-03-01T00:04:00Z', messageAt: '2026-03-01T00:05:01Z' });
      await store.ingest.bumpCounters({ connector: 'main', accountId: '111111111111', files: 1, events: 5, fileAt: '2026-03-01T00:03:00Z', fileKey: 'k0', newestEventTime: '2026-03-01T00:02:00Z', errorKind: 'kms-decrypt' });
      await store.ingest.bumpCounters({ connector: 'main', accountId: '111111111111', errorKind: 'kms-decrypt' });
      await store.ingest.bumpCounters({ connector: 'main', accountId: '222222222222', events: 1 });
      const counters = await store.ingest.counters('main');
      assert.deepEqual(counters[0], {
        connector: 'main',
        accountId: '111111111111',
        files: 2,
        events: 15,
        duplicates: 2,
        lastMessageAt: '2026-03-01T00:05:01Z',
        lastFileAt: '2026-03-01T00:05:00Z',
        lastFileKey: 'k1',
        newestEventTime: '2026-03-01T00:04:00Z',
        errorsByKind: { 'kms-decrypt': 2 },
      });
      assert.equal(counters[1]!.events, 1);
      assert.equal(counters[1]!.lastFileAt, null);
      assert.deepEqual(await store.ingest.counters('none'), []);

      assert.equal(await store.ingest.getState('backfill:cursor'), undefined);
      await store.ingest.setState('backfill:cursor', 'a');
      await store.ingest.setState('backfill:cursor', 'b');
      assert.equal(await store.ingest.getState('backfill:cursor'), 'b');
    });

    it('IAM snapshots: versioned per account and kind', async () => {
      const store = await open();
      const doc = (v: number) => ({ UserDetailList: [{ UserName: `u${v}`, Tags: [] }], v });
      await store.iam.putSnapshot({ accountId: '111111111111', kind: 'authorization-details', importedAt: '2026-03-01T00:00:00Z', source: 'a.json', document: doc(1) });
      await store.iam.putSnapshot({ accountId: '111111111111', kind: 'authorization-details', importedAt: '2026-03-02T00:00:00Z', source: 'sync', document: doc(2) });
      await store.iam.putSnapshot({ accountId: '222222222222', kind: 'authorization-details', importedAt: '2026-03-01T00:00:00Z', source: 'b.json', document: doc(3) });
      await store.iam.putSnapshot({ accountId: '333333333333', kind: 'credential-report', importedAt: '2026-03-01T00:00:00Z', source: 'c.csv', document: [{ user: 'x' }] });
      const latest = await store.iam.latest('authorization-details');
      assert.deepEqual(
        latest.map((r) => [r.accountId, r.document]),
        [
          ['111111111111', doc(2)],
          ['222222222222', doc(3)],
        ],
      );
      assert.deepEqual((await store.iam.latest('authorization-details', '111111111111'))[0]!.source, 'sync');
      assert.deepEqual(await store.iam.latest('authorization-details', '999999999999'), []);
      const history = await store.iam.history('authorization-details', '111111111111');
      assert.deepEqual(
        history.map((r) => r.importedAt),
        ['2026-03-02T00:00:00Z', '2026-03-01T00:00:00Z'],
      );
      assert.equal((await store.iam.history('authorization-details', '111111111111', 1)).length, 1);
      assert.deepEqual(await store.iam.accounts(), ['111111111111', '222222222222', '333333333333']);
    });

    it('reopening keeps the data and changes nothing (migrations are idempotent)', async () => {
      const location = await h.fresh();
      const first = await h.open(location);
      const e = makeEvent();
      await first.events.commitFile(fileRecord('k'), [e]);
      await first.iam.putSnapshot({ accountId: '1', kind: 'k', importedAt: '2026-03-01T00:00:00Z', source: 's', document: { a: 1 } });
      await first.close();
      const second = await h.open(location);
      try {
        assert.deepStrictEqual(await second.events.query({}), [e]);
        assert.equal((await second.files.get('file', 'k'))?.newEvents, 1);
        assert.deepEqual(await second.events.insertEvents([e]), { inserted: 0, duplicates: 1 });
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
      await writer.events.commitFile(fileRecord('shared'), events);
      assert.equal((await reader.events.stats()).events, 500);
      assert.deepStrictEqual((await reader.events.query({ limit: 1 }))[0], events[0]);
      // and the other way round, names first seen by the other connection included
      const e = makeEvent({ principalArn: 'arn:aws:iam::111111111111:role/from-reader' });
      await reader.events.insertEvents([e]);
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
            await store.events.commitFile(fileRecord(`AWSLogs/111111111111/CloudTrail/us-east-1/2026/01/01/f${f}.json.gz`, { eventCount: batch.length }), batch);
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
  });
}
