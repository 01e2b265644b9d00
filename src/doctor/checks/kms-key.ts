import { DescribeKeyCommand, GetKeyPolicyCommand } from '@aws-sdk/client-kms';
import { defineCheck } from '../types.js';
import { accountOfArn, regionOfArn } from '../arn.js';
import { diagnosticCall, MissingPermission } from '../aws-errors.js';
import type { DoctorContext } from '../context.js';
import { canDecrypt, statementsOf } from '../policy.js';
import { keyPolicyFix } from './kms-shared.js';
import { recentFileHead } from './recent-file-readable.js';

/** The key the logs are encrypted with: configured, the trail's, or the recent file's. */
async function logKey(ctx: DoctorContext): Promise<{ keyId: string; from: string } | undefined> {
  if (ctx.connector.kmsKeyArn) return { keyId: ctx.connector.kmsKeyArn, from: "the connector's kmsKeyArn" };
  const trailKey = (await ctx.trail().catch(() => undefined))?.trail.KmsKeyId;
  if (trailKey) return { keyId: trailKey, from: "the trail's KmsKeyId" };
  const head = await recentFileHead(ctx).catch(() => undefined);
  if (head?.sseKmsKeyId) return { keyId: head.sseKmsKeyId, from: `the SSE-KMS key of ${head.key}` };
  return undefined;
}

export const kmsKey = defineCheck({
  id: 'kms-key',
  title: 'The logs\' KMS key is enabled and lets the reader decrypt',
  why: 'SSE-KMS log files can be read only with kms:Decrypt on the trail\'s key, granted by the key policy (to the role, or to its account with IAM delegation); a disabled key makes every file unreadable.',
  async run(ctx) {
    const found = await logKey(ctx);
    if (!found) return { status: 'skip', found: 'the logs are not encrypted with a KMS key (no kmsKeyArn, no KmsKeyId on the trail, and no SSE-KMS key on a recent file)' };
    const region = regionOfArn(found.keyId) ?? ctx.connector.region ?? 'us-east-1';
    const kms = ctx.clients.kmsIn(region);
    const meta = (await diagnosticCall('kms:DescribeKey', found.keyId, () => kms.send(new DescribeKeyCommand({ KeyId: found.keyId })))).KeyMetadata;
    const keyArn = meta?.Arn ?? found.keyId;
    const details = { keyArn, from: found.from, keyState: meta?.KeyState ?? null, keyManager: meta?.KeyManager ?? null };
    if (meta?.KeyState && meta.KeyState !== 'Enabled') {
      const fix =
        meta.KeyState === 'PendingDeletion'
          ? `aws kms cancel-key-deletion --key-id ${keyArn} && aws kms enable-key --key-id ${keyArn} (files encrypted with a deleted key are lost)`
          : `aws kms enable-key --key-id ${keyArn}`;
      return { status: 'fail', found: `key ${keyArn} (${found.from}) is ${meta.KeyState}: no log file encrypted with it can be read`, fix, details };
    }
    const principal = await ctx.principal();
    let policy: string | undefined;
    try {
      policy = (await diagnosticCall('kms:GetKeyPolicy', keyArn, () => kms.send(new GetKeyPolicyCommand({ KeyId: keyArn, PolicyName: 'default' })))).Policy;
    } catch (err) {
      if (!(err instanceof MissingPermission)) throw err;
      return {
        status: 'warn',
        found: `key ${keyArn} is Enabled, but its policy cannot be read: kms:GetKeyPolicy is denied (the key policy itself must allow it to the reader)`,
        fix: `add to the key policy of ${keyArn}: ${JSON.stringify({ Sid: 'TrailscopeDiagnostics', Effect: 'Allow', Principal: { AWS: principal ?? '<reader role>' }, Action: 'kms:GetKeyPolicy', Resource: '*' })}`,
        details,
      };
    }
    if (!principal) return { status: 'warn', found: `key ${keyArn} is Enabled; the reader's principal is unknown, so its policy cannot be checked`, details };
    const statements = statementsOf(policy);
    const v = statements ? canDecrypt(statements, principal, accountOfArn(principal)) : { verdict: 'missing' as const };
    const fix = keyPolicyFix(keyArn, principal);
    switch (v.verdict) {
      case 'principal':
        return { status: 'pass', found: `key ${keyArn} is Enabled and its policy lets ${principal} decrypt${v.sid ? ` (statement ${v.sid})` : ''}`, details: { ...details, conditions: v.conditions } };
      case 'account':
        return {
          status: 'pass',
          found: `key ${keyArn} is Enabled and its policy lets account ${accountOfArn(principal)} decrypt (IAM delegation${v.sid ? `, statement ${v.sid}` : ''}): the role policy of ${principal} must allow kms:Decrypt on it`,
          details: { ...details, conditions: v.conditions },
        };
      case 'denied':
        return { status: 'fail', found: `the policy of key ${keyArn} denies kms:Decrypt to ${principal}${v.sid ? ` (statement ${v.sid})` : ''}`, fix: `remove or narrow that Deny, then ${fix}`, details };
      case 'missing':
        return { status: 'fail', found: `the policy of key ${keyArn} does not let ${principal} (or its account) use kms:Decrypt: log files cannot be read`, fix, details };
    }
  },
});
