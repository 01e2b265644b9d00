import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { NormalizedEvent } from '../model/event.js';
import type { CommittedBatch } from '../store/types.js';
import { DetectionEngine, EventsBatch } from './engine.js';
import { InMemoryDetectionMemory } from './memory.js';
import { defineEventRule, type StateProvider } from './types.js';
import { event, ROLE } from './rules/rule.test-helpers.js';

const meta = { title: 't', severity: 'low' as const, description: 'd', remediation: 'r', references: [], attack: ['T1078'] };

/** A batch that counts how often events are decoded in full. */
class CountingBatch implements CommittedBatch {
  full_ = 0;
  constructor(private readonly inner: EventsBatch) {}
  get size() {
    return this.inner.size;
  }
  api(i: number) {
    return this.inner.api(i);
  }
  identityType(i: number) {
    return this.inner.identityType(i);
  }
  principalArn(i: number) {
    return this.inner.principalArn(i);
  }
  light(i: number) {
    return { ...this.inner.light(i), raw: {} };
  }
  full(i: number) {
    this.full_++;
    return this.inner.full(i);
  }
}

describe('DetectionEngine', () => {
  const stop = event({ eventSource: 'cloudtrail.amazonaws.com', eventName: 'StopLogging' });
  const list = event({ eventSource: 's3.amazonaws.com', eventName: 'ListBuckets', readOnly: true });

  it('calls a rule only for events its prefilter admits, and decodes only those in full', () => {
    const seen: string[] = [];
    const rule = defineEventRule({
      ...meta,
      id: 'only-stop',
      prefilter: { eventSource: ['cloudtrail.amazonaws.com'], eventName: ['StopLogging'] },
      match(e) {
        seen.push(e.eventName);
        return { resource: 'arn:aws:iam::111122223333:user/alice', details: {} };
      },
    });
    const batch = new CountingBatch(new EventsBatch([list, stop, list]));
    const out = new DetectionEngine([rule]).run(batch, new InMemoryDetectionMemory());
    assert.deepEqual(seen, ['StopLogging']);
    assert.equal(batch.full_, 1);
    assert.equal(out.detections.length, 1);
    assert.deepEqual(out.detections[0]!.evidence, [stop.eventID]);
    assert.deepEqual(out.detections[0]!.details.attack, ['T1078']);
  });

  it("gives 'light' rules the light event without decoding the record", () => {
    let raw: unknown;
    const rule = defineEventRule({ ...meta, id: 'light', input: 'light', match: (e) => ((raw = e.raw), null) });
    const batch = new CountingBatch(new EventsBatch([stop]));
    new DetectionEngine([rule]).run(batch, new InMemoryDetectionMemory());
    assert.equal(batch.full_, 0);
    assert.deepEqual(raw, {});
  });

  it('applies a principal test per event, once per principal', () => {
    const tested: (string | null)[] = [];
    const seen: string[] = [];
    const rule = defineEventRule({
      ...meta,
      id: 'users-only',
      input: 'light',
      prefilter: { principal: (arn) => (tested.push(arn), arn?.includes(':user/') === true) },
      match: (e) => (seen.push(e.eventID), null),
    });
    const role = event({ userIdentity: ROLE, eventSource: 'cloudtrail.amazonaws.com', eventName: 'StopLogging' });
    new DetectionEngine([rule]).run(new EventsBatch([stop, role, stop, role]), new InMemoryDetectionMemory());
    assert.deepEqual(seen, [stop.eventID, stop.eventID]);
    assert.equal(tested.length, 2);
  });

  it('keeps going when a rule throws, and reports it', () => {
    const bad = defineEventRule({ ...meta, id: 'bad', match: () => { throw new Error('boom'); } });
    const good = defineEventRule({ ...meta, id: 'good', match: (e: NormalizedEvent) => ({ resource: e.principalArn!, details: {} }) });
    const engine = new DetectionEngine([bad, good]);
    const out = engine.run(new EventsBatch([stop]), new InMemoryDetectionMemory());
    assert.deepEqual(out.detections.map((d) => d.rule), ['good']);
    assert.deepEqual(engine.errors.map((e) => [e.rule, e.message]), [['bad', 'boom']]);
  });

  it('creates each declared state provider once, and feeds it after the rules matched', () => {
    let created = 0;
    const counter: StateProvider<{ n: number }> = { id: 'counter', input: 'light', create: () => (created++, { n: 0 }), observe: (s) => void s.n++ };
    const seenCounts: number[] = [];
    const a = defineEventRule({ ...meta, id: 'a', input: 'light', state: counter, match: (_e, s) => (seenCounts.push(s.n), null) });
    const b = defineEventRule({ ...meta, id: 'b', input: 'light', state: counter, match: () => null });
    const engine = new DetectionEngine([a, b]);
    const memory = new InMemoryDetectionMemory();
    engine.run(new EventsBatch([list, stop]), memory);
    engine.run(new EventsBatch([list]), memory);
    assert.equal(created, 1);
    assert.deepEqual(seenCounts, [0, 1, 2]);
  });

  it('reports a dedup rule once per slot, across commits, and completes a light match from the full event', () => {
    const calls: string[] = [];
    const rule = defineEventRule({
      ...meta,
      id: 'every-role-call',
      input: 'light',
      dedup: { key: (e) => `${e.sessionName}|${e.eventTime.slice(0, 10)}` },
      match: (e) => (calls.push(e.eventID), { resource: e.principalArn!, details: { region: e.awsRegion } }),
    });
    const session = (name: string, time: string) =>
      event({ userIdentity: { ...ROLE, arn: `arn:aws:sts::111122223333:assumed-role/deploy/${name}` }, eventTime: time, eventSource: 'ec2.amazonaws.com', eventName: 'DescribeInstances', awsRegion: 'eu-west-1' });
    const a1 = session('a', '2026-05-01T10:00:00Z');
    const a2 = session('a', '2026-05-01T11:00:00Z');
    const b1 = session('b', '2026-05-01T12:00:00Z');
    const a3 = session('a', '2026-05-02T09:00:00Z');
    const engine = new DetectionEngine([rule]);
    const memory = new InMemoryDetectionMemory();
    const batch = new CountingBatch(new EventsBatch([a1, a2, b1]));
    const first = engine.run(batch, memory).detections;
    assert.deepEqual(first.map((d) => d.eventId), [a1.eventID, b1.eventID]);
    // The light event has no region: the two detections were completed from the full events.
    assert.equal(batch.full_, 2);
    assert.deepEqual(first.map((d) => d.details.region), ['eu-west-1', 'eu-west-1']);
    const later = engine.run(new EventsBatch([a2, a3]), memory).detections;
    assert.deepEqual(later.map((d) => d.eventId), [a3.eventID]);
    // a2's slot was reported in the first run: judging it again could change nothing.
    assert.ok(!calls.includes(a2.eventID), 'a slot already reported is not judged again');
    assert.ok(calls.includes(a3.eventID));
  });

  it('judges a slot again when the memory lost it (a rolled-back commit)', () => {
    const calls: string[] = [];
    const rule = defineEventRule({
      ...meta,
      id: 'per-day',
      input: 'light',
      dedup: { key: (e) => e.eventTime.slice(0, 10) },
      match: (e) => (calls.push(e.eventID), { resource: e.principalArn!, details: {} }),
    });
    const engine = new DetectionEngine([rule]);
    const first = new InMemoryDetectionMemory();
    assert.equal(engine.run(new EventsBatch([stop]), first).detections.length, 1);
    // Another memory (as after a rollback: the slot was never kept) knows nothing of the slot.
    const other = new InMemoryDetectionMemory();
    assert.equal(engine.run(new EventsBatch([stop]), other).detections.length, 1);
    // A memory whose slot is gone although this process saw it taken.
    let forget = false;
    const forgetful = new InMemoryDetectionMemory();
    const get = forgetful.get.bind(forgetful);
    forgetful.get = (ns, key) => (forget ? undefined : get(ns, key));
    assert.equal(engine.run(new EventsBatch([stop]), forgetful).detections.length, 1);
    forget = true;
    assert.equal(engine.run(new EventsBatch([stop]), forgetful).detections.length, 1);
    assert.equal(calls.length, 4);
  });

  it('refuses two rules with one id', () => {
    const r = defineEventRule({ ...meta, id: 'same', match: () => null });
    assert.throws(() => new DetectionEngine([r, r]), /share the id "same"/);
  });
});
