import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../store/index.js';
import { encodeBatch } from '../store/write.js';
import { attachDetections } from './attach.js';
import { scanStoredEvents } from './scan.js';
import { builtinEventRules } from './rules/index.js';
import { detectionRules } from './findings.js';
import { event, ROOT } from './rules/rule.test-helpers.js';
import { commitFile, insertEvents } from '../store/testing/write.js';

const dir = mkdtempSync(join(tmpdir(), 'trailscope-detect-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

const stop = () => event({ eventSource: 'cloudtrail.amazonaws.com', eventName: 'StopLogging', requestParameters: { name: 'org-trail' } });
const rootCall = () => event({ userIdentity: ROOT, eventSource: 'iam.amazonaws.com', eventName: 'ListUsers', readOnly: true });
const attach = () =>
  event({ eventSource: 'iam.amazonaws.com', eventName: 'AttachRolePolicy', requestParameters: { roleName: 'deploy', policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' } });
const file = (key: string) => ({ source: 'file', key, status: 'done' as const, kind: 'events' as const, eventCount: 0, newEvents: 0, processedAt: '2026-05-01T12:00:00Z' });

describe('detections at commit', () => {
  it('stores detections and changes with the events, once per event however often it is re-imported', async () => {
    const store = await openStore(join(dir, `s${++n}.db`));
    try {
      attachDetections(store);
      const events = [stop(), rootCall(), attach()];
      await commitFile(store.events, file('a'), events);
      await store.events.commit(await encodeBatch(store.events.encoder, [{ file: file('b'), events }]));
      await insertEvents(store.events, events);
      const found = await store.detections.list();
      // The shipped Sigma rules run too: SigmaHQ's CloudTrail change and root credential rules.
      assert.deepEqual(found.map((d) => d.rule).sort(), [
        'logging-disabled',
        'root-account-usage',
        'sigma:4db60cc0-36fb-42b7-9b58-a5b53019fb74',
        'sigma:8ad1600d-e9dc-4251-b0ee-a65268f29add',
      ]);
      assert.deepEqual(found.find((d) => d.rule === 'logging-disabled')!.evidence, [events[0]!.eventID]);
      const changes = await store.detections.changes();
      // StopLogging and AttachRolePolicy change configuration; the root ListUsers does not.
      assert.deepEqual(changes.map((c) => [c.eventName, c.resource]).sort(), [
        ['AttachRolePolicy', 'arn:aws:iam::111122223333:role/deploy'],
        ['StopLogging', 'arn:aws:cloudtrail:us-east-1:111122223333:trail/org-trail'],
      ]);
      assert.equal(changes.length, 2);
      assert.ok(changes.some((c) => c.eventName === 'AttachRolePolicy' && c.resource === 'arn:aws:iam::111122223333:role/deploy'));
      assert.deepEqual((changes.find((c) => c.eventName === 'AttachRolePolicy')!.requestParameters as { roleName: string }).roleName, 'deploy');
    } finally {
      await store.close();
    }
  });

  it("stores nothing when the commit fails after the hook ran: detections share the events' transaction", async () => {
    const store = await openStore(join(dir, `s${++n}.db`));
    try {
      const engine = attachDetections(store);
      const hook = engine.hook();
      // The real hook's detections, then a change record the store cannot write: the transaction must roll back whole.
      store.detections.setCommitHook((batch, memory) => {
        const out = hook(batch, memory);
        assert.deepEqual(out.detections.map((d) => d.rule).sort(), ['logging-disabled', 'sigma:4db60cc0-36fb-42b7-9b58-a5b53019fb74']);
        return { detections: out.detections, changes: [{ ...out.changes[0]!, eventTime: 'not a time' }] };
      });
      await assert.rejects(commitFile(store.events, file('x'), [stop()]), /not an ISO-8601 time/);
      assert.deepEqual(await store.detections.list(), []);
      assert.equal((await store.events.stats()).events, 0);
      assert.equal(await store.files.count(), 0);
    } finally {
      await store.close();
    }
  });

  it('a rolled-back commit leaves no trace in the rules\' memory: the retried event still detects', async () => {
    const store = await openStore(join(dir, `s${++n}.db`));
    try {
      const hook = attachDetections(store).hook();
      let failNext = false;
      store.detections.setCommitHook((batch, memory) => {
        const out = hook(batch, memory);
        if (failNext) {
          failNext = false;
          return { ...out, changes: [{ eventId: 'x', eventTime: 'not a time' } as never] };
        }
        return out;
      });
      const call = (time: string, ip: string) => event({ eventSource: 'ec2.amazonaws.com', eventName: 'DescribeInstances', readOnly: true, eventTime: time, sourceIPAddress: ip });
      await insertEvents(store.events, [call('2026-05-01T08:00:00Z', '198.51.100.7')]);
      const fromElsewhere = call('2026-05-03T08:00:00Z', '203.0.113.9');
      failNext = true;
      await assert.rejects(insertEvents(store.events, [fromElsewhere]));
      await insertEvents(store.events, [fromElsewhere]);
      const found = await store.detections.list({ rules: ['unusual-source-ip'] });
      assert.deepEqual(found.map((d) => d.eventId), [fromElsewhere.eventID]);
    } finally {
      await store.close();
    }
  });

  it('detect re-scans stored events idempotently, finding what was imported before detection existed', async () => {
    const store = await openStore(join(dir, `s${++n}.db`));
    try {
      await insertEvents(store.events, [stop(), rootCall(), attach()]);
      assert.deepEqual(await store.detections.list(), []);
      const first = await scanStoredEvents(store, builtinEventRules);
      assert.equal(first.events, 3);
      assert.equal(first.newDetections, 2);
      assert.equal(first.newChanges, 2);
      const again = await scanStoredEvents(store, builtinEventRules);
      assert.equal(again.detections, 2);
      assert.equal(again.newDetections, 0);
      assert.equal(again.newChanges, 0);
      assert.equal((await store.detections.list()).length, 2);
    } finally {
      await store.close();
    }
  });

  it('detections become findings with stable ids, the triggering event as evidence, filterable by rule', async () => {
    const store = await openStore(join(dir, `s${++n}.db`));
    try {
      attachDetections(store);
      const s = stop();
      await insertEvents(store.events, [s]);
      const rules = detectionRules(builtinEventRules, await store.detections.list());
      const rule = rules.find((r) => r.id === 'logging-disabled')!;
      const [f] = rule.evaluate({} as never);
      assert.equal(f!.rule, 'logging-disabled');
      assert.equal(f!.severity, 'high');
      assert.deepEqual(f!.evidence, [s.eventID]);
      assert.equal(f!.resource, 'arn:aws:iam::111122223333:user/alice');
      assert.match(f!.id, /^[0-9a-f]{24}$/);
      const again = detectionRules(builtinEventRules, await store.detections.list()).find((r) => r.id === 'logging-disabled')!.evaluate({} as never);
      assert.equal(again[0]!.id, f!.id);
      assert.deepEqual(rules.find((r) => r.id === 'root-account-usage')!.evaluate({} as never), []);
    } finally {
      await store.close();
    }
  });
});
