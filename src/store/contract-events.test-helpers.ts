/**
 * Store contract, events: round-trips, dedup by eventID, atomic file commits, query filters and
 * paging. Part of runStoreContract (./contract.test-helpers.ts).
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import type { NormalizedEvent } from '../model/index.js';
import { realRecords, syntheticEvents, toEvent } from './testing/fixtures.js';
import { encodeBatch } from './write.js';
import { HOUR, T0, fileRecord, iso, makeEvent } from './contract-support.test-helpers.js';
import type { ContractContext } from './contract-support.test-helpers.js';
import { commitFile, insertEvents } from './testing/write.js';

export function eventsContract({ open }: ContractContext): void {
  it('round-trips every real record: the event and its raw record come back deep-equal', async () => {
    const store = await open();
    const firstById = new Map<string, NormalizedEvent>();
    for (const raw of realRecords()) {
      const e = toEvent(structuredClone(raw));
      if (!firstById.has(e.eventID)) firstById.set(e.eventID, e);
    }
    const events = [...firstById.values()];
    assert.ok(events.length > 400, `expected hundreds of real records, got ${events.length}`);
    const result = await insertEvents(store.events, events);
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
    await insertEvents(store.events, [evil, other]);
    const [a, b] = await store.events.query({});
    assert.deepStrictEqual(a, evil);
    assert.deepStrictEqual(b, other);
    assert.equal((await store.events.query({ principalArn: evil.principalArn! })).length, 1);
    assert.equal((await store.events.stats()).events, 2);
  });

  it('timeSpan gives the oldest and newest stored times, as stats does, and nulls when empty', async () => {
    const store = await open();
    assert.deepEqual(await store.events.timeSpan(), { oldestEventTime: null, newestEventTime: null });
    await insertEvents(store.events, [makeEvent({ t: T0 + 5 * HOUR }), makeEvent({ t: T0 - 3 * HOUR }), makeEvent({ t: T0 })]);
    const { oldestEventTime, newestEventTime } = await store.events.stats();
    assert.deepEqual(await store.events.timeSpan(), { oldestEventTime, newestEventTime });
    assert.equal(oldestEventTime, iso(T0 - 3 * HOUR));
    assert.equal(newestEventTime, iso(T0 + 5 * HOUR));
  });

  it('deduplicates by eventID across calls and within one batch', async () => {
    const store = await open();
    const a = makeEvent();
    const b = makeEvent();
    assert.deepEqual(await insertEvents(store.events, [a, b, a]), { inserted: 2, duplicates: 1 });
    assert.deepEqual(await insertEvents(store.events, [b, a]), { inserted: 0, duplicates: 2 });
    const c = makeEvent();
    const changedA = { ...a, eventName: 'Changed' };
    // the changed copy is a duplicate that says something else: kept out, and reported
    assert.deepEqual(await insertEvents(store.events, [changedA, c]), { inserted: 1, duplicates: 1, conflicts: { count: 1, eventIds: [a.eventID] } });
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
    assert.deepEqual(await commitFile(store.events, file, events), { inserted: 3, duplicates: 0 });
    const rec = await store.files.get(file.source, file.key);
    assert.deepEqual(rec, { ...file, newEvents: 3, error: null });
    // SQS redelivery of the same file: all duplicates, the record says no new events.
    assert.deepEqual(await commitFile(store.events, file, events), { inserted: 0, duplicates: 3 });
    assert.equal((await store.files.get(file.source, file.key))!.newEvents, 0);
    assert.equal((await store.events.stats()).events, 3);
    assert.equal((await store.events.stats()).files, 1);
  });

  it('commitFile bumps the account counters in its transaction, with the new and duplicate counts', async () => {
    const store = await open();
    const events = [makeEvent(), makeEvent()];
    const counters = { connector: 'c1', accountId: '111111111111', files: 1, fileKey: 'k-counted', fileAt: '2026-03-01T00:05:00.000Z' };
    await commitFile(store.events, fileRecord('k-counted'), events, counters);
    await commitFile(store.events, fileRecord('k-counted-again'), [...events, makeEvent()], { ...counters, fileKey: 'k-counted-again' });
    const [row] = await store.ingest.counters('c1');
    assert.equal(row?.files, 2);
    assert.equal(row?.events, 3);
    assert.equal(row?.duplicates, 2);
    assert.equal(row?.lastFileKey, 'k-counted-again');
    // A commit that fails moves no counter.
    await assert.rejects(commitFile(store.events, fileRecord(null as unknown as string), [makeEvent()], counters));
    assert.equal((await store.ingest.counters('c1'))[0]?.files, 2);
  });

  it('commitFile is atomic: a failure part-way leaves neither events nor the file record', async () => {
    const store = await open();
    const fresh = makeEvent({ principalArn: 'arn:aws:iam::111111111111:role/only-in-failed-batch', actions: ['newsvc:NewAction'] });
    const events = [makeEvent(), fresh, makeEvent()];
    // A file record the store must reject (key is required) after the events are written.
    const bad = fileRecord(null as unknown as string);
    await assert.rejects(commitFile(store.events, bad, events));
    assert.equal((await store.events.stats()).events, 0);
    assert.equal(await store.files.count(), 0);
    // A raw record that cannot be serialised, in the middle of the batch.
    const poisoned = makeEvent();
    poisoned.raw = { ...poisoned.raw, big: 10n };
    const file = fileRecord('k1');
    await assert.rejects(commitFile(store.events, file, [events[0]!, poisoned, events[2]!]));
    assert.equal((await store.events.stats()).events, 0);
    assert.equal(await store.files.get('file', 'k1'), undefined);
    // The store is still usable and knows nothing of the failed attempts' new names.
    assert.deepEqual(await commitFile(store.events, file, events), { inserted: 3, duplicates: 0 });
    const got = await store.events.query({ principalArn: fresh.principalArn!, action: 'newsvc:NewAction' });
    assert.deepStrictEqual(got, [fresh]);
    const usage = await store.events.usage({ principalArn: fresh.principalArn! });
    assert.equal(usage.length, 1);
    assert.equal(usage[0]!.count, 1);
  });

  it('commit takes several files at once, all or nothing', async () => {
    const store = await open();
    const [a, b, c] = [makeEvent(), makeEvent(), makeEvent()];
    const results = await store.events.commit([
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
      store.events.commit([
        { file: fileRecord('f3'), events: [d] },
        { file: fileRecord(null as unknown as string), events: [makeEvent()] },
      ]),
    );
    assert.equal(await store.files.get('file', 'f3'), undefined, 'the first file of a failed batch is not recorded');
    assert.equal((await store.events.stats()).events, 3);
  });

  it('columnsOnly returns the indexed fields of the full event and no raw record', async () => {
    const store = await open();
    const events = realRecords().slice(0, 200).map((raw) => toEvent(structuredClone(raw)));
    await insertEvents(store.events, events);
    const full = await store.events.query({});
    const light = await store.events.query({ columnsOnly: true });
    assert.equal(light.length, full.length);
    const indexed = ['eventID', 'eventTime', 'eventSource', 'eventName', 'recipientAccountId', 'errorCode', 'identityType', 'principalArn', 'principalAccountId', 'sessionName', 'actions', 'resources'] as const;
    for (let i = 0; i < full.length; i++) {
      for (const k of indexed) assert.deepStrictEqual(light[i]![k], full[i]![k], `${k} of ${full[i]!.eventID}`);
      assert.deepStrictEqual(light[i]!.raw, {});
      assert.equal(light[i]!.userAgent, null);
    }
    assert.ok(full.some((e) => e.userAgent !== null), 'the full events carry raw-derived fields');
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
    await insertEvents(store.events, [...evs].reverse());
    const ids = (list: NormalizedEvent[]) => list.map((e) => e.eventID);
    assert.deepEqual(ids(await store.events.query({})), ids(evs));
    assert.deepEqual(ids(await store.events.query({ newestFirst: true })), ids([...evs].reverse()));
    assert.deepEqual(ids(await store.events.query({ since: iso(T0 + HOUR), until: iso(T0 + 3 * HOUR) })), ids(evs.slice(1, 3)), 'since inclusive, until exclusive');
    assert.deepEqual(ids(await store.events.query({ recipientAccountId: '222222222222' })), ids([evs[2]!]));
    assert.deepEqual(ids(await store.events.query({ principalArn: p1 })), ids(evs.slice(0, 2)));
    assert.deepEqual(ids(await store.events.query({ action: 'ec2:RunInstances' })), ids(evs.slice(1, 3)));
    assert.deepEqual(ids(await store.events.query({ action: 'iam:PassRole', principalArn: p1 })), ids([evs[1]!]));
    assert.deepEqual(ids(await store.events.query({ anyAction: ['ec2:RunInstances', 'iam:PassRole', 'never:Stored'] })), ids(evs.slice(1, 3)));
    assert.deepEqual(await store.events.query({ anyAction: ['never:Stored'] }), []);
    assert.deepEqual(ids(await store.events.query({ errorsOnly: true })), ids([evs[1]!]));
    assert.deepEqual(ids(await store.events.query({ limit: 2, newestFirst: true })), ids([evs[3]!, evs[2]!]));
    assert.deepEqual(await store.events.query({ principalArn: 'arn:aws:iam::999999999999:role/never' }), []);
    assert.deepEqual(await store.events.query({ action: 'never:Seen' }), []);
    assert.deepEqual(await store.events.query({ recipientAccountId: '999999999999' }), []);
    const stats = await store.events.stats();
    assert.deepEqual(stats, { events: 4, files: 0, oldestEventTime: iso(T0), newestEventTime: iso(T0 + 3 * HOUR) });
  });

  it('iterates large results in order across pages, honouring limit and newestFirst', async () => {
    const store = await open();
    const events = syntheticEvents(2600, { seed: 7, spanMs: 2 * 86_400_000 });
    await insertEvents(store.events, events);
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

  it('commit refuses a batch encoded in another format', async () => {
    const store = await open();
    await assert.rejects(store.events.commit({ format: 'no-such-store/1', parts: 1 }), /cannot be written/);
    assert.equal((await store.events.stats()).events, 0);
  });

  it('commit writes a batch made by the store\'s own encoder and reads every event back exactly', async () => {
    const store = await open();
    const events = syntheticEvents(1500, { seed: 11 });
    events[3]!.userAgent = 'agent \u{1F600} with "quotes"\nand a newline';
    events[3]!.raw.userAgent = events[3]!.userAgent;
    const files = [0, 700, 1100].map((start, k, all) => ({
      file: fileRecord(`chunk/${k}.json.gz`, { eventCount: 0 }),
      events: events.slice(start, all[k + 1] ?? events.length),
    }));
    const results = await store.events.commit(await encodeBatch(store.events.encoder, files));
    assert.deepEqual(results, [
      { inserted: 700, duplicates: 0 },
      { inserted: 400, duplicates: 0 },
      { inserted: 400, duplicates: 0 },
    ]);
    assert.equal((await store.files.get('file', 'chunk/1.json.gz'))?.newEvents, 400);
    const byId = new Map(events.map((e) => [e.eventID, e]));
    const back = await store.events.query({});
    assert.equal(back.length, events.length);
    for (const e of back) assert.deepStrictEqual(e, byId.get(e.eventID));
  });

  it('an encoded batch with events already stored or repeated keeps only the new ones, raw records intact', async () => {
    const store = await open();
    const events = syntheticEvents(900, { seed: 12 });
    await insertEvents(store.events, events.slice(100, 200));
    const repeated = [...events.slice(0, 600), events[5]!];
    // Big enough for an encoder to compress it whole, yet not every event is new: the store must cope.
    const batch = await encodeBatch(store.events.encoder, [
      { file: fileRecord('dup/a.json.gz', { eventCount: 0 }), events: repeated },
      { file: fileRecord('dup/b.json.gz', { eventCount: 0 }), events: events.slice(550) },
    ]);
    assert.deepEqual(await store.events.commit(batch), [
      { inserted: 500, duplicates: 101 },
      { inserted: 300, duplicates: 50 },
    ]);
    const byId = new Map(events.map((e) => [e.eventID, e]));
    const back = await store.events.query({});
    assert.equal(back.length, 900);
    for (const e of back) assert.deepStrictEqual(e, byId.get(e.eventID));
  });
}
