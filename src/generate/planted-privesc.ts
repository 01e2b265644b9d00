/** Planted cases, category privilege-escalation: possible, exercised and attempted. */
import { USER_AGENTS } from './builder.js';
import { allow, AWS_POLICY, doc, trust } from './iam-model.js';
import { accessDenied } from './planted-kit.js';
import type { Actor } from './model.js';
import type { PlantKit } from './planted-kit.js';

export function plantPrivescCases(k: PlantKit, lambdaService: Actor): void {
  const { b, rng, A, startMs, span, before, spread } = k;
  // --- Privilege escalation ----------------------------------------------------------------------
  const editorPolicy = b.policy(
    A,
    'policy-editor-access',
    [doc(allow(['iam:GetPolicy', 'iam:GetPolicyVersion', 'iam:ListPolicies'])), doc(allow(['iam:GetPolicy', 'iam:GetPolicyVersion', 'iam:ListPolicies', 'iam:CreatePolicyVersion']))],
    before(500),
    { description: 'Lets the compliance team maintain policy text' },
  );
  const editor = b.user(A, { name: 'policy-editor', createdMs: before(480), managed: [editorPolicy], keys: [{ active: true, createdMs: before(470) }] });
  const editorActor = b.actor(A, editor, { style: 'user-cli', calls: [] });
  for (const t of spread(5)) b.emit(editorActor, rng.pick(['iam:ListPolicies', 'iam:GetPolicy']), t, { args: { policyArn: editorPolicy } });
  b.expect({
    id: 'privesc-possible-create-policy-version',
    category: 'privilege-escalation',
    accountId: A.id,
    arn: editor.Arn,
    expect: { privesc: 'possible', technique: 'CreatePolicyVersion', requiredActions: ['iam:CreatePolicyVersion'], via: editorPolicy },
    description: 'May create a new default version of any customer-managed policy, including its own: escalation is possible, never used.',
  });

  const adminExec = b.role(A, {
    name: 'lambda-admin-exec',
    path: '/service-role/',
    createdMs: before(600),
    trust: trust({ Service: 'lambda.amazonaws.com' }),
    managed: [AWS_POLICY.AdministratorAccess],
    description: 'Break-glass maintenance functions',
  });
  const deployerActions = ['lambda:CreateFunction', 'lambda:InvokeFunction', 'lambda:GetFunction'];
  const deployer = b.user(A, {
    name: 'lambda-deployer',
    createdMs: before(300),
    inline: [{ PolicyName: 'deploy-functions', PolicyDocument: doc(allow(deployerActions), allow('iam:PassRole', adminExec.Arn)) }],
    keys: [{ active: true, createdMs: before(290) }],
  });
  const deployerActor = b.actor(A, deployer, { style: 'user-cli', calls: [], userAgents: USER_AGENTS.python, ips: ['198.51.100.23'] });
  for (const t of spread(4)) b.emit(deployerActor, 'lambda:GetFunction20150331v2', t);
  const tEsc = startMs + Math.floor(span * 0.66);
  const fnName = `maintenance-${rng.lowerAlnum(6)}`;
  const createId = b.emit(deployerActor, 'lambda:CreateFunction20150331', tEsc, { args: { functionName: fnName, role: adminExec.Arn } });
  const invokeId = b.emit(deployerActor, 'lambda:Invoke', tEsc + 45_000, { args: { functionName: fnName } });
  b.emit(lambdaService, 'sts:AssumeRole', tEsc + 46_000, { args: { roleArn: adminExec.Arn, roleSessionName: fnName } });
  const adminExecActor = b.actor(A, adminExec, { style: 'lambda', calls: [], sessionNames: [fnName], userAgents: USER_AGENTS.python });
  b.emit(adminExecActor, 'iam:ListUsers', tEsc + 48_000);
  b.emit(adminExecActor, 'secretsmanager:GetSecretValue', tEsc + 49_000);
  b.expect({
    id: 'privesc-exercised-passrole-lambda',
    category: 'privilege-escalation',
    accountId: A.id,
    arn: deployer.Arn,
    expect: {
      privesc: 'exercised',
      technique: 'PassRole + Lambda CreateFunction + InvokeFunction',
      requiredActions: ['iam:PassRole', 'lambda:CreateFunction', 'lambda:InvokeFunction'],
      passedRole: adminExec.Arn,
      eventIDs: [createId, invokeId],
    },
    description: 'Created a function running as an administrator role and invoked it; the role then acted.',
  });
  b.expect({
    id: 'super-role-lambda-admin-exec',
    category: 'super',
    accountId: A.id,
    arn: adminExec.Arn,
    expect: { super: true, via: AWS_POLICY.AdministratorAccess, attachedTo: 'role' },
    description: 'The role passed in the exercised escalation: AdministratorAccess.',
  });

  const intern = b.user(A, { name: 'intern-jdoe', createdMs: before(60), groups: ['ReadOnly'], keys: [{ active: true, createdMs: before(59) }] });
  const internActor = b.actor(A, intern, { style: 'user-cli', calls: [] });
  for (const t of spread(8)) b.emit(internActor, rng.pick(['ec2:DescribeInstances', 's3:ListBuckets', 'iam:GetUser']), t, { args: { userName: intern.UserName } });
  const attempts: string[] = [];
  const tTry = startMs + Math.floor(span * 0.8);
  for (let i = 0; i < 3; i++) {
    attempts.push(
      b.emit(internActor, 'iam:AttachUserPolicy', tTry + i * 70_000, {
        args: { userName: intern.UserName, policyArn: AWS_POLICY.AdministratorAccess },
        error: accessDenied(intern.Arn, 'iam:AttachUserPolicy', `user ${intern.UserName}`),
      }),
    );
  }
  b.expect({
    id: 'privesc-attempted-attach-user-policy',
    category: 'privilege-escalation',
    accountId: A.id,
    arn: intern.Arn,
    expect: { privesc: 'attempted', technique: 'AttachUserPolicy', requiredActions: ['iam:AttachUserPolicy'], eventIDs: attempts },
    description: 'Tried three times to attach AdministratorAccess to itself; every call was denied.',
  });
}
