/**
 * Request-dependent mappings: calls whose IAM actions depend on request parameters.
 * Each rule returns candidate actions (validated against iam-data by the caller). Rules receive the
 * whole record and must treat it as hostile: read strings only, bounded work.
 *
 * The DynamoDB PartiQL and TransactWriteItems rules and the S3 DeleteObjects version rule come from
 * iann0036/iam-dataset sdk_method_iam_mappings (MIT), whose conditions are written there in prose.
 */
import { getCI, str, valuesAt } from './params.js';

export type DynamicRule = (record: Record<string, unknown>) => string[];

const req = (record: Record<string, unknown>, key: string): unknown => getCI(record.requestParameters, key);
const hasVersion = (record: Record<string, unknown>): boolean => str(req(record, 'versionId')) !== undefined;

/** S3 object calls that need the `...Version...` action when a versionId is given. */
function versioned(plain: string, withVersion: string): DynamicRule {
  return (record) => [hasVersion(record) ? withVersion : plain];
}

const PARTIQL: Readonly<Record<string, string>> = {
  select: 'dynamodb:PartiQLSelect',
  insert: 'dynamodb:PartiQLInsert',
  update: 'dynamodb:PartiQLUpdate',
  delete: 'dynamodb:PartiQLDelete',
  // EXISTS(...) in a transaction is a condition check, authorised as PartiQLSelect.
  exists: 'dynamodb:PartiQLSelect',
};

function partiqlAction(statement: unknown): string | undefined {
  const s = str(statement);
  if (!s) return undefined;
  const m = /^\s*([A-Za-z]+)/.exec(s.slice(0, 64));
  return m?.[1] ? PARTIQL[m[1].toLowerCase()] : undefined;
}

/** PartiQL calls: by each statement's first keyword; unresolvable when CloudTrail omits the text. */
function partiql(path: string, fallback: string): DynamicRule {
  return (record) => {
    const out = new Set<string>();
    for (const stmt of valuesAt(record, path)) {
      const a = partiqlAction(stmt);
      if (a) out.add(a);
    }
    return out.size ? [...out] : [fallback];
  };
}

const TRANSACT_WRITE: ReadonlyArray<readonly [string, string]> = [
  ['put', 'dynamodb:PutItem'],
  ['update', 'dynamodb:UpdateItem'],
  ['delete', 'dynamodb:DeleteItem'],
  ['conditionCheck', 'dynamodb:ConditionCheckItem'],
];

const transactWriteItems: DynamicRule = (record) => {
  const out = new Set<string>();
  for (const item of valuesAt(record, 'requestParameters.transactItems')) {
    for (const [key, action] of TRANSACT_WRITE) if (getCI(item, key) !== undefined) out.add(action);
  }
  // CloudTrail may omit the items; every item kind needs at least one of these.
  return out.size ? [...out] : ['dynamodb:TransactWriteItems'];
};

/** S3 CopyObject: read the source, write the target, plus ACL / tagging / version when requested. */
const copyObject: DynamicRule = (record) => {
  const out = ['s3:PutObject'];
  const source = str(req(record, 'x-amz-copy-source')) ?? '';
  out.push(/[?&]versionId=/.test(source) ? 's3:GetObjectVersion' : 's3:GetObject');
  if (str(req(record, 'x-amz-acl')) || str(req(record, 'x-amz-grant-full-control')) || str(req(record, 'x-amz-grant-read'))) {
    out.push('s3:PutObjectAcl');
  }
  if (str(req(record, 'x-amz-tagging'))) out.push('s3:PutObjectTagging');
  return out;
};

/** S3 DeleteObjects: DeleteObject, and DeleteObjectVersion when any entry names a version. */
const deleteObjects: DynamicRule = (record) => {
  const versions = valuesAt(record, 'requestParameters.delete.Object[].VersionId');
  return versions.length ? ['s3:DeleteObject', 's3:DeleteObjectVersion'] : ['s3:DeleteObject'];
};

/** `prefix:EventName` (lower case) → rule. */
export const DYNAMIC_RULES: ReadonlyMap<string, DynamicRule> = new Map<string, DynamicRule>([
  ['s3:getobject', versioned('s3:GetObject', 's3:GetObjectVersion')],
  ['s3:headobject', versioned('s3:GetObject', 's3:GetObjectVersion')],
  ['s3:deleteobject', versioned('s3:DeleteObject', 's3:DeleteObjectVersion')],
  ['s3:getobjectacl', versioned('s3:GetObjectAcl', 's3:GetObjectVersionAcl')],
  ['s3:putobjectacl', versioned('s3:PutObjectAcl', 's3:PutObjectVersionAcl')],
  ['s3:getobjecttagging', versioned('s3:GetObjectTagging', 's3:GetObjectVersionTagging')],
  ['s3:putobjecttagging', versioned('s3:PutObjectTagging', 's3:PutObjectVersionTagging')],
  ['s3:deleteobjecttagging', versioned('s3:DeleteObjectTagging', 's3:DeleteObjectVersionTagging')],
  ['s3:getobjectattributes', versioned('s3:GetObjectAttributes', 's3:GetObjectVersionAttributes')],
  ['s3:copyobject', copyObject],
  ['s3:deleteobjects', deleteObjects],
  ['dynamodb:executestatement', partiql('requestParameters.statement', 'dynamodb:ExecuteStatement')],
  ['dynamodb:batchexecutestatement', partiql('requestParameters.statements[].statement', 'dynamodb:BatchExecuteStatement')],
  ['dynamodb:executetransaction', partiql('requestParameters.transactStatements[].statement', 'dynamodb:ExecuteTransaction')],
  ['dynamodb:transactwriteitems', transactWriteItems],
]);
