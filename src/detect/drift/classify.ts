/**
 * The drift timeline's classifier: which successful calls change configuration, and which
 * resource they change. Reads only; failed calls (errorCode) changed nothing and are left out.
 */
import type { NormalizedEvent } from '../../model/index.js';
import type { ChangeRecord } from '../../store/index.js';
import type { EventConsumer } from '../engine.js';
import { accountOf, params, str } from '../rules/helpers.js';

const READ = /^(Get|List|Describe|Lookup|Search|Select|BatchGet|Simulate|Generate|Check|Head|Decode|Preview|Validate|Test|View)/;
const EC2_NETWORK = /(SecurityGroup|Vpc|Subnet|RouteTable|Route$|Routes$|NetworkAcl|InternetGateway|NatGateway|VpnGateway|VpnConnection|CustomerGateway|TransitGateway|NetworkInterface|Address|DhcpOptions|FlowLogs|ManagedPrefixList|TrafficMirror)/;
const EC2_WRITE = /^(Create|Delete|Modify|Authorize|Revoke|Associate|Disassociate|Attach|Detach|Replace|Accept|Reject|Allocate|Release|Enable|Disable|Update|Assign|Unassign)/;
const S3_CHANGES = new Set([
  'PutBucketPolicy',
  'DeleteBucketPolicy',
  'PutBucketAcl',
  'PutBucketPublicAccessBlock',
  'DeleteBucketPublicAccessBlock',
  'PutAccountPublicAccessBlock',
  'DeleteAccountPublicAccessBlock',
  'PutBucketOwnershipControls',
]);
const KMS_CHANGES = new Set(['PutKeyPolicy', 'ScheduleKeyDeletion', 'CancelKeyDeletion', 'DisableKey', 'EnableKey', 'DisableKeyRotation', 'EnableKeyRotation', 'CreateGrant', 'RevokeGrant', 'RetireGrant']);
/** STS calls that issue credentials are activity, not configuration. */
const STS_ACTIVITY = /^(Assume|Get|Decode)/;

const SERVICES: Record<string, (name: string) => boolean> = {
  'iam.amazonaws.com': (n) => !READ.test(n),
  'sts.amazonaws.com': (n) => !STS_ACTIVITY.test(n),
  'organizations.amazonaws.com': (n) => !READ.test(n),
  'ec2.amazonaws.com': (n) => EC2_WRITE.test(n) && EC2_NETWORK.test(n),
  's3.amazonaws.com': (n) => S3_CHANGES.has(n),
  'kms.amazonaws.com': (n) => KMS_CHANGES.has(n),
  'cloudtrail.amazonaws.com': (n) => !READ.test(n),
  'guardduty.amazonaws.com': (n) => !READ.test(n) && n !== 'ArchiveFindings' && n !== 'UnarchiveFindings',
  'config.amazonaws.com': (n) => !READ.test(n) && n !== 'PutEvaluations',
};

export function isChangeEvent(eventSource: string, eventName: string): boolean {
  return SERVICES[eventSource]?.(eventName) === true;
}

/** The parameter naming the changed resource, per service, in order of preference, with its type and ARN form. */
// The principal first: AttachRolePolicy changes the role, not the policy it names.
const IAM_TARGETS: [string, string, string][] = [
  ['roleName', 'iam-role', 'role/'],
  ['userName', 'iam-user', 'user/'],
  ['groupName', 'iam-group', 'group/'],
  ['policyArn', 'iam-policy', ''],
  ['instanceProfileName', 'iam-instance-profile', 'instance-profile/'],
  ['policyName', 'iam-policy', 'policy/'],
  ['serialNumber', 'iam-mfa-device', ''],
  ['openIDConnectProviderArn', 'iam-oidc-provider', ''],
  ['sAMLProviderArn', 'iam-saml-provider', ''],
];
const EC2_TARGETS: [string, string][] = [
  ['groupId', 'security-group'],
  ['networkAclId', 'network-acl'],
  ['routeTableId', 'route-table'],
  ['subnetId', 'subnet'],
  ['internetGatewayId', 'internet-gateway'],
  ['natGatewayId', 'natgateway'],
  ['networkInterfaceId', 'network-interface'],
  ['vpcPeeringConnectionId', 'vpc-peering-connection'],
  ['transitGatewayId', 'transit-gateway'],
  ['vpcEndpointId', 'vpc-endpoint'],
  ['allocationId', 'elastic-ip'],
  ['vpcId', 'vpc'],
];

function target(e: NormalizedEvent): { type: string; resource: string } {
  const p = params(e);
  const account = accountOf(e);
  const region = e.awsRegion;
  const service = e.eventSource.split('.')[0]!;
  switch (e.eventSource) {
    case 'iam.amazonaws.com':
      for (const [key, type, prefix] of IAM_TARGETS) {
        const v = str(p[key]);
        if (v) return { type, resource: prefix && !v.startsWith('arn:') ? `arn:aws:iam::${account}:${prefix}${v}` : v };
      }
      break;
    case 'ec2.amazonaws.com':
      for (const [key, type] of EC2_TARGETS) {
        const v = str(p[key]);
        if (v) return { type, resource: `arn:aws:ec2:${region}:${account}:${type}/${v}` };
      }
      break;
    case 's3.amazonaws.com': {
      const bucket = str(p.bucketName);
      if (bucket) return { type: 's3-bucket', resource: `arn:aws:s3:::${bucket}` };
      return { type: 's3-account', resource: `arn:aws:s3:${region}:${account}:account` };
    }
    case 'kms.amazonaws.com': {
      const key = str(p.keyId);
      if (key) return { type: 'kms-key', resource: key.startsWith('arn:') ? key : `arn:aws:kms:${region}:${account}:key/${key}` };
      break;
    }
    case 'cloudtrail.amazonaws.com': {
      const trail = str(p.name) ?? str(p.trailName);
      if (trail) return { type: 'trail', resource: trail.startsWith('arn:') ? trail : `arn:aws:cloudtrail:${region}:${account}:trail/${trail}` };
      break;
    }
    case 'guardduty.amazonaws.com': {
      const detector = str(p.detectorId);
      if (detector) return { type: 'guardduty-detector', resource: `arn:aws:guardduty:${region}:${account}:detector/${detector}` };
      break;
    }
    case 'config.amazonaws.com': {
      const name = str(p.configRuleName) ?? str(obj(p.configurationRecorder)?.name) ?? str(p.configurationRecorderName);
      if (name) return { type: 'config', resource: name };
      break;
    }
    case 'organizations.amazonaws.com': {
      const id = str(p.policyId) ?? str(p.accountId) ?? str(p.organizationalUnitId) ?? str(p.targetId);
      if (id) return { type: 'organizations', resource: id };
      break;
    }
  }
  // Nothing better: the service in the account.
  return { type: service, resource: `${service}:${region || 'global'}:${account}` };
}

function obj(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

export function classifyChange(e: NormalizedEvent): ChangeRecord | null {
  if (e.errorCode || !isChangeEvent(e.eventSource, e.eventName)) return null;
  if (e.readOnly === true) return null;
  const t = target(e);
  return {
    eventId: e.eventID,
    eventTime: e.eventTime,
    accountId: e.recipientAccountId ?? e.principalAccountId,
    eventSource: e.eventSource,
    eventName: e.eventName,
    resourceType: t.type,
    resource: t.resource,
    actor: e.principalArn,
    sessionName: e.sessionName,
    sourceIPAddress: e.sourceIPAddress,
    userAgent: e.userAgent,
    awsRegion: e.awsRegion,
    requestParameters: e.raw.requestParameters ?? null,
  };
}

export const driftClassifier: EventConsumer = {
  prefilter: { eventSource: Object.keys(SERVICES), api: isChangeEvent },
  classify: classifyChange,
};
