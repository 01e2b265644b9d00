import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { NormalizedEvent } from '../model/event.js';
import type { CommittedBatch } from '../store/types.js';
import { DetectionEngine, EventsBatch } from './engine.js';
import { InMemoryDetectionMemory } from './memory.js';
import { ScreenMemo } from './screen.js';
import { defineEventRule, type LightScreen } from './types.js';
import { event, IAM_USER, ROLE } from './rules/rule.test-helpers.js';

const meta = { title: 't', severity: 'low' as const, description: 'd', remediation: 'r', references: [], attack: [] };

/** Counts the light events built and the light values read; `irregular` events give no light values. */
class CountingBatch implements CommittedBatch {
  lights = 0;
  constructor(
    private readonly inner: EventsBatch,
    private readonly irregular: ReadonlySet<number> = new Set(),
  ) {}
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
  lightValue(i: number, field: string) {
    return this.irregular.has(i) ? undefined : this.inner.lightValue(i, field);
  }
  light(i: number) {
    this.lights++;
    return this.inner.light(i);
  }
  full(i: number) {
    return this.inner.full(i);
  }
}

const withAgent = (userAgent: string, extra: Record<string, unknown> = {}): NormalizedEvent =>
  event({ userIdentity: IAM_USER, eventSource: 'ec2.amazonaws.com', eventName: 'DescribeInstances', userAgent, ...extra });

/** A rule on the user agent, its screen counting how often it is evaluated. */
function agentRule(wanted: string) {
  const counts = { tests: 0, matches: 0 };
  const screen: LightScreen = {
    fields: ['userAgent'],
    test: (raw) => (counts.tests++, raw.userAgent === wanted),
  };
  const rule = defineEventRule({
    ...meta,
    id: 'agent',
    input: 'light',
    screen,
    match: (e) => (counts.matches++, e.userAgent === wanted ? { resource: e.principalArn!, details: {} } : null),
  });
  return { rule, counts };
}

describe('light screens', () => {
  it('match on one user agent and not another, the screen evaluated once per distinct agent', () => {
    const { rule, counts } = agentRule('TruffleHog');
    const events = [withAgent('TruffleHog'), withAgent('aws-cli/2.15'), withAgent('TruffleHog'), withAgent('aws-cli/2.15'), withAgent('aws-cli/2.15')];
    const batch = new CountingBatch(new EventsBatch(events));
    const out = new DetectionEngine([rule]).run(batch, new InMemoryDetectionMemory());
    assert.deepEqual(out.detections.map((d) => d.eventId), [events[0]!.eventID, events[2]!.eventID]);
    assert.equal(counts.tests, 2);
    // Events the screen rules out are never built nor matched.
    assert.equal(counts.matches, 2);
    assert.equal(batch.lights, 2);
  });

  it('keeps its verdicts across batches, and gives the same detections as the rule without it', () => {
    const { rule, counts } = agentRule('TruffleHog');
    const engine = new DetectionEngine([rule]);
    const memory = new InMemoryDetectionMemory();
    const events = [withAgent('aws-cli/2.15'), withAgent('TruffleHog'), withAgent('Boto3/1.34'), withAgent('TruffleHog')];
    const first = engine.run(new EventsBatch(events.slice(0, 2)), memory).detections;
    const second = engine.run(new EventsBatch(events.slice(2)), memory).detections;
    assert.equal(counts.tests, 3);
    const { screen: _dropped, ...plain } = rule;
    const without = new DetectionEngine([plain]).run(new EventsBatch(events), new InMemoryDetectionMemory()).detections;
    assert.deepEqual([...first, ...second], without);
  });

  it('runs the rule on an event whose light values the batch cannot give (irregular record)', () => {
    const { rule, counts } = agentRule('TruffleHog');
    const events = [withAgent('aws-cli/2.15'), withAgent('aws-cli/2.15')];
    const batch = new CountingBatch(new EventsBatch(events), new Set([1]));
    new DetectionEngine([rule]).run(batch, new InMemoryDetectionMemory());
    assert.equal(counts.tests, 1);
    assert.equal(counts.matches, 1);
  });

  it('hands the test the fields at their paths, null ones left out, keyed by every field', () => {
    const seen: Record<string, unknown>[] = [];
    const memo = new ScreenMemo({
      fields: ['userIdentity.type', 'userIdentity.sessionContext.sessionIssuer.type', 'userAgent'],
      test: (raw) => (seen.push(raw), (raw.userIdentity as { type?: string } | undefined)?.type === 'AssumedRole'),
    });
    const role = event({ userIdentity: ROLE, eventSource: 'ec2.amazonaws.com', eventName: 'DescribeInstances', userAgent: 'a' });
    const user = event({ userIdentity: IAM_USER, eventSource: 'ec2.amazonaws.com', eventName: 'DescribeInstances', userAgent: 'a' });
    const roleOtherAgent = event({ userIdentity: ROLE, eventSource: 'ec2.amazonaws.com', eventName: 'DescribeInstances', userAgent: 'b' });
    const batch = new EventsBatch([role, user, role, roleOtherAgent]);
    assert.deepEqual([0, 1, 2, 3].map((i) => memo.admits(batch, i)), [true, false, true, true]);
    assert.equal(seen.length, 3);
    assert.deepEqual(seen[0], { userIdentity: { type: 'AssumedRole', sessionContext: { sessionIssuer: { type: 'Role' } } }, userAgent: 'a' });
    assert.deepEqual(seen[1], { userIdentity: { type: 'IAMUser' }, userAgent: 'a' });
  });

  it('stays right past its bound (it starts over rather than grow)', () => {
    let tests = 0;
    const memo = new ScreenMemo({ fields: ['userAgent'], test: (raw) => (tests++, String(raw.userAgent).endsWith('1')) }, 2);
    const events = ['x1', 'x2', 'x3', 'x1', 'x2', 'x3', 'y1'].map((a) => withAgent(a));
    const batch = new EventsBatch(events);
    assert.deepEqual(events.map((_, i) => memo.admits(batch, i)), [true, false, false, true, false, false, true]);
    assert.ok(tests > 3 && tests <= 7);
  });

  it('refuses a field a light event does not carry', () => {
    assert.throws(() => new ScreenMemo({ fields: ['requestParameters.bucketName'], test: () => true }), /not one of the light fields/);
  });
});
