/**
 * Store contract, detections area: the commit hook sees exactly the events a commit inserted,
 * runs inside its transaction, and what it returns is stored with them; put/list/changes keys
 * and filters. Part of runStoreContract (./contract.test-helpers.ts).
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { makeEvent } from './contract-support.test-helpers.js';
import type { ContractContext } from './contract-support.test-helpers.js';
import type { CommittedBatch, DetectionRecord } from './types.js';
import { insertEvents } from './testing/write.js';

function detection(eventId: string, eventTime: string, over: Partial<DetectionRecord> = {}): DetectionRecord {
  return {
    rule: 'test-rule',
    eventId,
    eventTime,
    accountId: '111111111111',
    resource: 'arn:aws:iam::111111111111:user/u',
    severity: 'high',
    title: 't',
    description: 'd',
    remediation: 'r',
    details: { k: 1 },
    evidence: [eventId],
    ...over,
  };
}

export function detectionsContract({ open }: ContractContext): void {
  it('detections: the commit hook sees only newly inserted events and its detections are stored with them', async () => {
    const store = await open();
    const seen: string[] = [];
    store.detections.setCommitHook((batch: CommittedBatch, memory) => {
      const detections: DetectionRecord[] = [];
      for (let i = 0; i < batch.size; i++) {
        const light = batch.light(i);
        seen.push(light.eventID);
        assert.equal(batch.full(i).eventID, light.eventID);
        assert.equal(light.sourceIPAddress, batch.full(i).sourceIPAddress);
        memory.note('ns', light.eventID, Date.parse(light.eventTime), 'v');
        detections.push(detection(light.eventID, light.eventTime));
      }
      return { detections, changes: [] };
    });
    const a = makeEvent({ eventID: 'a', eventTime: '2026-03-01T00:00:00Z' });
    const b = makeEvent({ eventID: 'b', eventTime: '2026-03-02T00:00:00Z' });
    await insertEvents(store.events, [a, b]);
    await insertEvents(store.events, [a, b]);
    assert.deepEqual(seen.sort(), ['a', 'b']);
    const stored = await store.detections.list();
    assert.deepEqual(stored.map((d) => d.eventId), ['a', 'b']);
    assert.deepEqual(stored[0]!.details, { k: 1 });
    assert.deepEqual((await store.detections.list({ since: '2026-03-02T00:00:00Z' })).map((d) => d.eventId), ['b']);
    assert.deepEqual(await store.detections.list({ rules: ['other'] }), []);
    store.detections.setCommitHook(null);
    await insertEvents(store.events, [makeEvent({ eventID: 'c', eventTime: '2026-03-03T00:00:00Z' })]);
    assert.equal((await store.detections.list()).length, 2);
  });

  it('detections: put keeps one row per rule and event, more evidence replaces it; changes filter by resource', async () => {
    const store = await open();
    assert.deepEqual(await store.detections.put({ detections: [detection('e1', '2026-03-01T00:00:00Z')], changes: [] }), { detections: 1, changes: 0 });
    assert.deepEqual(await store.detections.put({ detections: [detection('e1', '2026-03-01T00:00:00Z', { title: 'again' })], changes: [] }), { detections: 0, changes: 0 });
    await store.detections.put({ detections: [detection('e1', '2026-03-01T00:00:00Z', { title: 'pair', evidence: ['e1', 'e0'] })], changes: [] });
    const [d] = await store.detections.list();
    assert.equal(d!.title, 'pair');
    assert.deepEqual(d!.evidence, ['e1', 'e0']);
    const change = (eventId: string, resource: string) => ({
      eventId,
      eventTime: '2026-03-01T00:00:00Z',
      accountId: '111111111111',
      eventSource: 'iam.amazonaws.com',
      eventName: 'AttachRolePolicy',
      resourceType: 'iam-role',
      resource,
      actor: null,
      sessionName: null,
      sourceIPAddress: null,
      userAgent: null,
      awsRegion: 'us-east-1',
      requestParameters: { roleName: 'r' },
    });
    await store.detections.put({ detections: [], changes: [change('c1', 'arn:r1'), change('c2', 'arn:r2'), change('c1', 'arn:r1')] });
    assert.deepEqual((await store.detections.changes({ resource: 'arn:r2' })).map((c) => c.eventId), ['c2']);
    assert.deepEqual((await store.detections.changes()).map((c) => [c.eventId, c.requestParameters]), [
      ['c1', { roleName: 'r' }],
      ['c2', { roleName: 'r' }],
    ]);
  });
}
