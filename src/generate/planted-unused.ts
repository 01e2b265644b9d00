/** Planted cases, categories over-provisioned and unused-credential: grants and credentials that are never used. */
import { DAY_MS, USER_AGENTS } from './builder.js';
import { AWS_POLICY, trust } from './iam-model.js';
import { actionsOf } from './catalog.js';
import { iso } from './planted-kit.js';
import type { Actor } from './model.js';
import type { PlantKit } from './planted-kit.js';

export function plantUnusedCases(k: PlantKit): Actor {
  const { b, rng, A, span, before, spread } = k;
  // --- Over-provisioned --------------------------------------------------------------------------
  const etlCalls = ['s3:GetObject', 's3:PutObject', 'secretsmanager:GetSecretValue'];
  const etl = b.role(A, {
    name: 'reporting-etl',
    path: '/service-role/',
    createdMs: before(400),
    trust: trust({ Service: 'lambda.amazonaws.com' }),
    managed: [AWS_POLICY.PowerUserAccess, AWS_POLICY.AWSLambdaBasicExecutionRole],
  });
  const etlActor = b.actor(A, etl, { style: 'lambda', calls: [], sessionNames: ['reporting-etl'], userAgents: USER_AGENTS.python });
  const lambdaService = b.actor(A, { service: 'lambda.amazonaws.com' }, { style: 'aws-service', calls: [], invokedBy: 'lambda.amazonaws.com' });
  for (const [i, t] of spread(Math.max(9, Math.round(span / DAY_MS))).entries()) {
    if (i % 3 === 0) b.emit(lambdaService, 'sts:AssumeRole', t - 5000, { args: { roleArn: etl.Arn, roleSessionName: 'reporting-etl' } });
    b.emit(etlActor, etlCalls[i % etlCalls.length]!, t);
  }
  b.expect({
    id: 'over-provisioned-role',
    category: 'over-provisioned',
    accountId: A.id,
    arn: etl.Arn,
    expect: { overProvisioned: true, usedActions: actionsOf(etlCalls), granted: [AWS_POLICY.PowerUserAccess, AWS_POLICY.AWSLambdaBasicExecutionRole] },
    description: 'PowerUserAccess (all but IAM/Organizations) granted; only three actions ever used.',
  });

  // --- Unused credentials -------------------------------------------------------------------------
  const carol = b.user(A, {
    name: 'carol.console',
    createdMs: before(400),
    groups: ['ReadOnly'],
    keys: [{ active: true, createdMs: before(380) }],
    password: { enabled: true, lastChangedMs: before(100) },
    mfa: true,
  });
  const carolActor = b.actor(A, carol, { style: 'user-console', calls: [], useKeys: [], userAgents: USER_AGENTS.console, mfa: true });
  for (const t of spread(6)) {
    b.emit(carolActor, 'signin:ConsoleLogin', t);
    b.emit(carolActor, 'monitoring:DescribeAlarms', t + 50_000);
  }
  const carolKey = b.credentials(A, carol.Arn).keys[0]!;
  b.expect({
    id: 'unused-access-key',
    category: 'unused-credential',
    accountId: A.id,
    arn: carol.Arn,
    expect: { credential: 'access_key_1', accessKeyId: carolKey.id, unused: true, keyCreatedAt: iso(carolKey.createdMs), userActive: true },
    description: 'Active console user whose access key (active) has never been used.',
  });

  const buildAgent = b.user(A, { name: 'build-agent', path: '/automation/', createdMs: before(420), keys: [{ active: true, createdMs: before(410) }], password: { enabled: true, lastChangedMs: before(419) } });
  const buildActor = b.actor(A, buildAgent, { style: 'user-cli', calls: [], userAgents: USER_AGENTS.go });
  for (const t of spread(10)) b.emit(buildActor, rng.pick(['s3:PutObject', 'sts:GetCallerIdentity']), t);
  b.expect({
    id: 'unused-console-password',
    category: 'unused-credential',
    accountId: A.id,
    arn: buildAgent.Arn,
    expect: { credential: 'password', unused: true, passwordLastUsed: 'no_information', userActive: true },
    description: 'Automation user whose access key is in daily use but who also has a console password that was never used.',
  });
  return lambdaService;
}
