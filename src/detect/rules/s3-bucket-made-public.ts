import { defineEventRule } from '../types.js';
import { actorOf, items, obj, params, policyDocument, publicStatements, str, succeeded, who } from './helpers.js';

const PUBLIC_GROUPS = ['http://acs.amazonaws.com/groups/global/AllUsers', 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers'];
const PUBLIC_CANNED = ['public-read', 'public-read-write', 'authenticated-read'];
const BLOCK_FLAGS = ['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets'];

function aclGrantsEveryone(p: Record<string, unknown>): string[] {
  const found: string[] = [];
  const canned = str(p['x-amz-acl']);
  if (canned && PUBLIC_CANNED.includes(canned)) found.push(`canned ACL ${canned}`);
  for (const [k, v] of Object.entries(p)) {
    if (k.startsWith('x-amz-grant-') && typeof v === 'string' && PUBLIC_GROUPS.some((g) => v.includes(g))) found.push(`${k}: ${v}`);
  }
  const acl = obj(obj(p.AccessControlPolicy)?.AccessControlList);
  for (const g of items(acl?.Grant)) {
    const grant = obj(g);
    const uri = str(obj(grant?.Grantee)?.URI);
    if (uri && PUBLIC_GROUPS.includes(uri)) found.push(`grant ${str(grant?.Permission) ?? '?'} to ${uri}`);
  }
  return found;
}

/** Flags of a public access block configuration that were turned off. */
function disabledFlags(p: Record<string, unknown>): string[] {
  const conf = obj(p.PublicAccessBlockConfiguration) ?? obj(p.publicAccessBlock) ?? {};
  return BLOCK_FLAGS.filter((f) => conf[f] === false || conf[f] === 'false');
}

/**
 * A bucket (or the account's) exposure to everyone: a bucket policy allowing "*" without a
 * narrowing condition, an ACL granting AllUsers/AuthenticatedUsers, or the public access block
 * removed or weakened.
 */
export const s3BucketMadePublic = defineEventRule({
  id: 's3-bucket-made-public',
  title: 'S3 bucket made public',
  severity: 'high',
  description:
    'A bucket policy or ACL now grants access to everyone, or the S3 Block Public Access settings that prevent that were removed or weakened. Public buckets are the most common source of cloud data leaks.',
  remediation:
    'Restore Block Public Access (bucket and account level), remove the public statement or grant, and check the bucket\'s access logs and CloudTrail data events for reads since the change.',
  references: [
    'https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html',
    'https://docs.aws.amazon.com/securityhub/latest/userguide/s3-controls.html#s3-2',
    'https://stratus-red-team.cloud/attack-techniques/AWS/aws.exfiltration.s3-backdoor-bucket-policy/',
  ],
  attack: ['T1530'],
  prefilter: {
    eventSource: ['s3.amazonaws.com'],
    eventName: [
      'PutBucketPolicy',
      'PutBucketAcl',
      'PutBucketPublicAccessBlock',
      'DeleteBucketPublicAccessBlock',
      'PutAccountPublicAccessBlock',
      'DeleteAccountPublicAccessBlock',
    ],
  },
  input: 'full',
  match(e) {
    if (!succeeded(e)) return null;
    const p = params(e);
    const bucket = str(p.bucketName) ?? null;
    let reasons: string[] = [];
    switch (e.eventName) {
      case 'PutBucketPolicy': {
        const policy = policyDocument(p.bucketPolicy);
        if (policy) reasons = publicStatements(policy).map((s) => `policy statement ${str(s.Sid) ?? ''} allows everyone`.replace('  ', ' '));
        break;
      }
      case 'PutBucketAcl':
        reasons = aclGrantsEveryone(p);
        break;
      case 'PutBucketPublicAccessBlock':
      case 'PutAccountPublicAccessBlock':
        reasons = disabledFlags(p).map((f) => `${f} turned off`);
        break;
      case 'DeleteBucketPublicAccessBlock':
      case 'DeleteAccountPublicAccessBlock':
        reasons = ['public access block removed'];
        break;
    }
    if (reasons.length === 0) return null;
    const accountLevel = e.eventName.includes('Account');
    return {
      resource: actorOf(e),
      // Removing a guard is not yet exposure: a public grant is.
      severity: e.eventName === 'PutBucketPolicy' || e.eventName === 'PutBucketAcl' ? 'high' : 'medium',
      title: accountLevel ? 'S3 Block Public Access weakened for the account' : `S3 bucket made public${bucket ? `: ${bucket}` : ''}`,
      details: { ...who(e), bucket, accountLevel, reasons },
    };
  },
});
