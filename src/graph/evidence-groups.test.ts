import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../store/index.js';
import { T0, iso, makeEvent } from '../store/contract-support.test-helpers.js';
import { insertEvents } from '../store/testing/write.js';
import { loadEscalationEvidence } from './evidence-groups.js';

const dir = mkdtempSync(join(tmpdir(), 'trailscope-evidence-groups-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const USER = 'arn:aws:iam::111111111111:user/dev';
const ROLE = 'arn:aws:iam::111111111111:role/admin';

describe('loadEscalationEvidence', () => {
  it('gives the groups of the actions the window used (and every AssumeRole), whatever the store is asked', async () => {
    const store = await openStore(join(dir, 'store.db'));
    const call = (i: number, eventSource: string, eventName: string, action: string, principalArn: string | null) =>
      makeEvent({ t: T0 + i * 60_000, principalArn, principalAccountId: principalArn ? '111111111111' : '222222222222', eventSource, eventName, actions: [action], resources: [ROLE] });
    await insertEvents(store.events, [
      call(1, 'iam.amazonaws.com', 'PassRole', 'iam:PassRole', USER),
      call(2, 'iam.amazonaws.com', 'CreateAccessKey', 'iam:CreateAccessKey', null),
      call(3, 'sts.amazonaws.com', 'AssumeRole', 'sts:AssumeRole', null),
      call(4, 'iam.amazonaws.com', 'AttachRolePolicy', 'iam:AttachRolePolicy', USER),
    ]);
    const q = { since: iso(T0), until: iso(T0 + 3_600_000) };
    const names = (groups: { actions: string[] }[]) => groups.map((g) => g.actions.join()).sort();
    assert.deepEqual(names(await loadEscalationEvidence(store.events, q)), ['iam:AttachRolePolicy', 'iam:CreateAccessKey', 'iam:PassRole', 'sts:AssumeRole']);
    const used = await loadEscalationEvidence(store.events, q, new Set(['iam:passrole']));
    assert.deepEqual(names(used), ['iam:PassRole', 'sts:AssumeRole']);
    // the same groups as asking the store for those actions alone
    assert.deepEqual(used, await store.events.evidenceGroups({ ...q, anyAction: ['iam:PassRole', 'sts:AssumeRole'] }));
    assert.deepEqual(names(await loadEscalationEvidence(store.events, q, new Set(['iam:passrole', 'iam:attachrolepolicy']))), ['iam:AttachRolePolicy', 'iam:PassRole', 'sts:AssumeRole']);
    await store.close();
  });
});
