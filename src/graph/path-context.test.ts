import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { contextLine, withPathContext, type RiskDetectionLike } from './path-context.js';
import type { AttackPath, PathStep } from './paths.js';

const ALICE = 'arn:aws:iam::111122223333:user/alice';
const BOB = 'arn:aws:iam::111122223333:user/bob';
const CAROL = 'arn:aws:iam::111122223333:user/carol';

function step(succeeded: { id: string; time: string }[]): PathStep {
  return {
    from: 'x',
    to: 'admin',
    technique: 'iam-001',
    techniqueName: 'CreatePolicyVersion',
    actions: ['iam:CreatePolicyVersion'],
    conditional: false,
    confidence: 'confirmed',
    status: succeeded.length ? 'exercised' : 'possible',
    succeededEventIds: succeeded.map((s) => s.id),
    failedEventIds: [],
    firstSeen: succeeded[0]?.time ?? null,
    lastSeen: succeeded.at(-1)?.time ?? null,
  };
}

function path(from: string, steps: PathStep[]): AttackPath {
  const status = steps.some((s) => s.status === 'exercised') ? 'exercised' : 'possible';
  return { from, to: 'admin', steps, status, conditional: false, confidence: 'confirmed', accounts: ['111122223333'], crossAccount: false };
}

const risk = (rule: string, resource: string, eventId: string, eventTime: string): RiskDetectionLike => ({ rule, resource, eventId, eventTime });

describe('attack paths with context', () => {
  it('puts paths exercised right after risk at their entry first, then risk alone, keeping the order otherwise', () => {
    const plain = path(CAROL, [step([])]);
    const risky = path(BOB, [step([])]);
    const exercised = path(ALICE, [step([{ id: 'call-1', time: '2026-05-01T12:00:00Z' }])]);
    const detections = [
      risk('unusual-source-ip', ALICE, 'login-9', '2026-05-01T09:00:00Z'),
      risk('console-login-without-mfa', BOB, 'login-2', '2026-05-02T09:00:00Z'),
      // Not a risk rule: ignored.
      risk('root-account-usage', CAROL, 'root-1', '2026-05-01T09:00:00Z'),
    ];
    const out = withPathContext([plain, risky, exercised], detections, [{ eventID: 'call-1', eventTime: '2026-05-01T12:00:00Z' }]);
    assert.deepEqual(out.map((p) => p.from), [ALICE, BOB, CAROL]);
    assert.equal(out[2]!.context, undefined);
    assert.deepEqual(out[0]!.context, {
      risk: [{ rule: 'unusual-source-ip', eventId: 'login-9', time: '2026-05-01T09:00:00Z' }],
      exercisedAfterRisk: true,
      exercisedAfter: [{ technique: 'iam-001', eventId: 'call-1', time: '2026-05-01T12:00:00Z', afterRiskEventId: 'login-9' }],
    });
    assert.equal(out[1]!.context?.exercisedAfterRisk, false);
    assert.match(contextLine(out[0]!.context!), /exercised after risk at the entry point: unusual-source-ip; iam-001 .* followed event login-9/);
    assert.match(contextLine(out[1]!.context!), /risk at the entry point: console-login-without-mfa \(1 event\)/);
  });

  it('counts a call only within a day after the risk event, never before it', () => {
    const calls = [
      { id: 'before', time: '2026-05-01T08:00:00Z' },
      { id: 'too-late', time: '2026-05-02T09:00:01Z' },
    ];
    const p = path(ALICE, [step(calls)]);
    const login = risk('access-key-created-for-other-user', ALICE, 'key-1', '2026-05-01T09:00:00Z');
    const events = calls.map((c) => ({ eventID: c.id, eventTime: c.time }));
    const [out] = withPathContext([p], [login], events);
    assert.equal(out!.context?.exercisedAfterRisk, false);
    assert.equal(out!.context?.risk.length, 1);
    const inTime = withPathContext([path(ALICE, [step([{ id: 'ok', time: '2026-05-02T08:59:59Z' }])])], [login], [{ eventID: 'ok', eventTime: '2026-05-02T08:59:59Z' }]);
    assert.equal(inTime[0]!.context?.exercisedAfterRisk, true);
  });

  it("falls back to the step's first and last call times when the calls' times are not given", () => {
    const p = path(ALICE, [step([{ id: 'a', time: '2026-05-01T10:00:00Z' }, { id: 'b', time: '2026-05-03T10:00:00Z' }])]);
    const [out] = withPathContext([p], [risk('unusual-source-ip', ALICE, 'r', '2026-05-03T09:00:00Z')]);
    assert.deepEqual(out!.context?.exercisedAfter, [{ technique: 'iam-001', eventId: null, time: '2026-05-03T10:00:00Z', afterRiskEventId: 'r' }]);
  });
});
