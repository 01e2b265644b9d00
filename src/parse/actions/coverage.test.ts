import { test } from 'node:test';
import assert from 'node:assert/strict';
import { actionsForEventName, auditMapping, canonicalAction, mapEventToActions, mapEventToActionsDetailed } from './index.js';
import { otherRealEvents, realEvents } from './real-events.test-helpers.js';

/*
 * Measured on the shared corpora (1,096 events): 1,066 resolved (97.3%): stratus 310/310,
 * TrailDiscover 314/315, panther 442/471. The unresolved ones are mostly panther's synthetic test
 * events (no eventSource, S3 operations under ec2.amazonaws.com, iam:NotCreateUser, ...); the floors
 * sit slightly under the measurement so a regression in the table fails the build.
 */
const FLOORS = { all: 0.97, panther: 0.93, traildiscover: 0.99, stratus: 0.99 } as const;

test('coverage: share of real events whose actions are all known to iam-data (or deliberately none)', () => {
  const events = realEvents();
  assert.ok(events.length > 1000, `${events.length} events loaded`);
  const all = auditMapping(events.map((e) => e.record));
  const report = all.unknown.map((u) => `${u.action} ×${u.count}`).join(', ');
  console.log(`coverage ${(all.coverage * 100).toFixed(2)}% of ${all.total}; mapped ${all.mapped}, permissionless ${all.permissionless}, service events ${all.serviceEvents}; unknown: ${report}`);
  assert.ok(all.coverage >= FLOORS.all, `coverage ${all.coverage}; unknown: ${report}`);
  assert.equal(all.resolved + all.withUnknown + (all.total - all.resolved - all.withUnknown), all.total);
  for (const corpus of ['panther', 'traildiscover', 'stratus'] as const) {
    const a = auditMapping(events.filter((e) => e.corpus === corpus).map((e) => e.record));
    assert.ok(a.coverage >= FLOORS[corpus], `${corpus}: ${a.coverage}`);
  }
});

test('coverage on other real corpora (flaws2 delivery files, OTRF, plaso lookup-events): all resolved', () => {
  const records = otherRealEvents();
  assert.ok(records.length >= 140, `${records.length} records`);
  const a = auditMapping(records);
  // Measured: 146/146.
  assert.ok(a.coverage >= 0.99, `${a.coverage}: ${a.unknown.map((u) => u.action).join(', ')}`);
});

test('ground truth: the table alone gives the action that AccessDenied messages name', () => {
  // "User: ... is not authorized to perform: ecs:CreateCluster on resource: ..." is IAM's own
  // statement of the action it evaluated. Compare with the table, without reading the message.
  let compared = 0;
  const mismatches: string[] = [];
  for (const { record } of realEvents()) {
    const m = /not authorized to perform:? ([A-Za-z0-9-]+:[A-Za-z0-9]+)/.exec(String(record.errorMessage ?? ''));
    if (!m?.[1]) continue;
    const named = canonicalAction(m[1]);
    if (!named) continue; // e.g. panther's placeholder "iam:Action"
    compared++;
    const fromTable = actionsForEventName(String(record.eventSource), String(record.eventName));
    if (!fromTable.includes(named)) mismatches.push(`${String(record.eventSource)} ${String(record.eventName)}: table ${fromTable.join(',')} vs ${named}`);
  }
  assert.ok(compared >= 200, `${compared} denied events compared`);
  assert.deepEqual(mismatches, []);
});

test('every returned action is in iam-data; unknown candidates never leak into actions', () => {
  for (const { record } of realEvents()) {
    const d = mapEventToActionsDetailed(record);
    for (const a of d.actions) assert.equal(canonicalAction(a), a, `${a} not in IAM spelling`);
    for (const u of d.unknown) assert.ok(!d.actions.includes(u));
    assert.deepEqual(mapEventToActions(record).actions, d.actions);
  }
});

test('failed calls in the corpora map to the actions they attempted', () => {
  const failed = realEvents().filter((e) => typeof e.record.errorCode === 'string' && e.record.errorCode);
  assert.ok(failed.length > 250);
  const withAction = failed.filter((e) => mapEventToActions(e.record).actions.length > 0).length;
  assert.ok(withAction / failed.length > 0.97, `${withAction}/${failed.length}`);
});
