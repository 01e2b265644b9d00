import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ACCOUNT, addRecords, allow, allowAll, authorizationDetails, daysBefore, importIam, record, tempStore, type TempStore } from '../../../test/support/analysis.js';
import { loadAnalysis } from '../load.js';
import { adminRoleAssumableByService } from './admin-role-assumable-by-service.js';
import type { Finding } from '../types.js';
import { CREATED, trust } from './role-trust.test-helpers.js';

const AS_OF = '2026-06-01T00:00:00Z';
const role = (n: string) => `arn:aws:iam::${ACCOUNT}:role/${n}`;
let t: TempStore;
let findings: Finding[];

before(async () => {
  t = await tempStore();
  await importIam(t.store, {
    authz: [
      authorizationDetails({
        users: [
          { name: 'deployer', created: CREATED, inline: [allow(['lambda:CreateFunction', 'lambda:InvokeFunction']), allow(['iam:PassRole'], role('fn-admin'))] },
          { name: 'bystander', created: CREATED, inline: [allow(['lambda:CreateFunction', 'lambda:InvokeFunction'])] },
        ],
        roles: [
          { name: 'fn-admin', created: CREATED, trust: trust({ Service: 'lambda.amazonaws.com' }), inline: [allowAll()] },
          { name: 'fn-reader', created: CREATED, trust: trust({ Service: 'lambda.amazonaws.com' }), inline: [allow(['s3:GetObject'])] },
          { name: 'human-admin', created: CREATED, trust: trust({ AWS: `arn:aws:iam::${ACCOUNT}:root` }), inline: [allowAll()] },
        ],
      }),
    ],
  });
  await addRecords(t.store, [
    record({ user: 'deployer' }, 'lambda:CreateFunction20150331', daysBefore(AS_OF, 2), { requestParameters: { functionName: 'nightly', role: role('fn-admin') }, id: 'create-nightly' }),
  ]);
  findings = adminRoleAssumableByService.evaluate((await loadAnalysis(t.store, { asOf: AS_OF, windowDays: 90 })).ctx);
});
after(async () => t?.close());

describe('admin-role-assumable-by-service', () => {
  it('fires for an admin role trusted by Lambda, listing who can hand it over and the function CloudTrail shows', () => {
    assert.deepEqual(findings.map((f) => f.resource), [role('fn-admin')]);
    const [f] = findings;
    assert.equal(f!.severity, 'low');
    assert.deepEqual(f!.details.services, ['lambda.amazonaws.com']);
    const consumers = f!.details.consumers as { principal: string; technique: string; status: string; confidence: string }[];
    assert.ok(consumers.some((c) => c.principal.endsWith(':user/deployer') && c.technique === 'lambda-001' && c.status === 'exercised' && c.confidence === 'confirmed'), 'deployer');
    assert.ok(!consumers.some((c) => c.principal.endsWith(':user/bystander')), 'no iam:PassRole: not a consumer');
    assert.deepEqual(f!.details.resources, ['arn:aws:lambda:us-east-1:111122223333:function:nightly']);
    assert.deepEqual(f!.evidence, ['create-nightly']);
  });
});
