import { accountOfArn } from '../arn.js';

/** The key-policy statement letting the reader decrypt CloudTrail files (and only those). */
export function decryptStatement(principal: string): string {
  return JSON.stringify({
    Sid: 'AllowTrailscopeDecrypt',
    Effect: 'Allow',
    Principal: { AWS: principal },
    Action: 'kms:Decrypt',
    Resource: '*',
    Condition: { Null: { 'kms:EncryptionContext:aws:cloudtrail:arn': 'false' } },
  });
}

export function keyPolicyFix(keyArn: string, principal: string): string {
  const keyAccount = accountOfArn(keyArn);
  const readerAccount = accountOfArn(principal);
  const role = JSON.stringify({ Effect: 'Allow', Action: 'kms:Decrypt', Resource: keyArn });
  return (
    `add to the key policy of ${keyArn}: ${decryptStatement(principal)}` +
    (keyAccount && readerAccount && keyAccount !== readerAccount
      ? `; the key is in account ${keyAccount}, so the reader's role policy in ${readerAccount} must also allow it: ${role}`
      : `; and make sure the reader's role policy allows it: ${role}`)
  );
}
