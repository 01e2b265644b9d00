import { bool, obj, parseArn, partitionOfRegion, str } from './fields.js';
import type { JsonObject } from './fields.js';

export interface IdentityFields {
  identityType: string | null;
  principalArn: string | null;
  principalAccountId: string | null;
  sessionName: string | null;
  invokedBy: string | null;
  accessKeyId: string | null;
  mfaAuthenticated: boolean | null;
}

/**
 * Resolves who acted. The rule that matters for CIEM: principalArn is the IAM identity whose
 * permissions were used (the role behind a session, the user behind a federation token), never
 * an STS session ARN, so usage joins with the IAM snapshot by ARN.
 */
export function resolveIdentity(record: JsonObject): IdentityFields {
  const ui = obj(record.userIdentity);
  const region = str(record.awsRegion);
  if (!ui) {
    return {
      identityType: null,
      principalArn: null,
      principalAccountId: null,
      sessionName: null,
      invokedBy: null,
      accessKeyId: null,
      mfaAuthenticated: mfaFromSignIn(record),
    };
  }
  const type = str(ui.type);
  const arn = str(ui.arn);
  const parsedArn = parseArn(arn);
  const sessionContext = obj(ui.sessionContext);
  const issuer = obj(sessionContext?.sessionIssuer);
  const issuerArn = iamArn(issuer?.arn);
  const invokedBy = str(ui.invokedBy);
  const accountId = str(ui.accountId) ?? str(issuer?.accountId) ?? (parsedArn?.account || null);

  let principalArn: string | null = null;
  let sessionName: string | null = null;
  switch (type) {
    case 'IAMUser':
      principalArn = iamArn(arn);
      break;
    case 'AssumedRole':
      principalArn = issuerArn ?? roleFromSessionArn(arn);
      sessionName = sessionFromArn(arn, 'assumed-role/', 2) ?? afterColon(str(ui.principalId));
      break;
    case 'Root':
      principalArn = iamArn(arn) ?? rootArn(accountId, parsedArn?.partition ?? partitionOfRegion(region));
      break;
    case 'FederatedUser':
      // GetFederationToken: the permissions are the issuing user's (or root's), scoped down.
      principalArn = issuerArn;
      sessionName = sessionFromArn(arn, 'federated-user/', 1) ?? afterColon(str(ui.principalId));
      break;
    case 'SAMLUser':
    case 'WebIdentityUser':
      principalArn = issuerArn;
      sessionName = str(ui.userName);
      break;
    case 'IdentityCenterUser': {
      // Not an IAM principal: the person is the useful fact, the IAM side shows up later as
      // an AWSReservedSSO_* role session.
      const extra = obj(record.additionalEventData);
      sessionName = str(extra?.UserName) ?? str(ui.userName) ?? str(obj(ui.onBehalfOf)?.userId);
      break;
    }
    case 'AWSService':
      principalArn = invokedBy;
      break;
    default:
      principalArn = issuerArn ?? iamArn(arn) ?? roleFromSessionArn(arn);
      if (!principalArn && !type && !arn && invokedBy) principalArn = invokedBy;
      if (parsedArn?.service === 'sts') sessionName = sessionFromArn(arn, 'assumed-role/', 2);
  }

  return {
    identityType: type,
    principalArn,
    principalAccountId: accountId,
    sessionName,
    invokedBy,
    accessKeyId: str(ui.accessKeyId),
    mfaAuthenticated: mfaFromSignIn(record) ?? bool(obj(sessionContext?.attributes)?.mfaAuthenticated),
  };
}

/** An IAM ARN (user, role, root...) as written; STS session ARNs and other services are refused. */
function iamArn(value: unknown): string | null {
  const arn = parseArn(value);
  return arn && arn.service === 'iam' && arn.resource.length > 0 ? (value as string) : null;
}

/**
 * Last resort when sessionIssuer is missing: the role named in the session ARN. The role's
 * path is not in a session ARN, so this can differ from the snapshot ARN for roles with paths.
 */
function roleFromSessionArn(value: string | null): string | null {
  const arn = parseArn(value);
  if (!arn || arn.service !== 'sts' || !arn.resource.startsWith('assumed-role/')) return null;
  const role = arn.resource.split('/')[1];
  return role ? `arn:${arn.partition}:iam::${arn.account}:role/${role}` : null;
}

function sessionFromArn(value: string | null, kind: string, skip: number): string | null {
  const arn = parseArn(value);
  if (!arn || arn.service !== 'sts' || !arn.resource.startsWith(kind)) return null;
  const name = arn.resource.split('/').slice(skip).join('/');
  return name || null;
}

function afterColon(principalId: string | null): string | null {
  if (!principalId) return null;
  const i = principalId.indexOf(':');
  return i >= 0 && i < principalId.length - 1 ? principalId.slice(i + 1) : null;
}

function rootArn(accountId: string | null, partition: string): string | null {
  return accountId && /^\d{12}$/.test(accountId) ? `arn:${partition}:iam::${accountId}:root` : null;
}

/** Console sign-in records say whether MFA was used for this sign-in, which beats session state. */
function mfaFromSignIn(record: JsonObject): boolean | null {
  const used = obj(record.additionalEventData)?.MFAUsed;
  if (used === 'Yes') return true;
  if (used === 'No') return false;
  return null;
}
