/**
 * A healthy connector set-up for the doctor's tests, one per test: its own bucket, queue and
 * dead-letter queue on a shared fauxqs (S3 objects and SQS attributes over the wire), with
 * aws-sdk-client-mock for what fauxqs does not play (STS, CloudTrail, KMS, Organizations) and
 * canned answers for the two bucket-configuration calls fauxqs lacks (GetBucketNotificationConfiguration,
 * GetBucketLocation). Each test breaks one thing and asserts on its own check.
 */
import { S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { SQSClient, SetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { STSClient, AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { CloudWatchClient, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { CloudTrailClient, DescribeTrailsCommand, GetEventSelectorsCommand, GetTrailStatusCommand } from '@aws-sdk/client-cloudtrail';
import type { Trail } from '@aws-sdk/client-cloudtrail';
import { KMSClient, DescribeKeyCommand, GetKeyPolicyCommand } from '@aws-sdk/client-kms';
import { OrganizationsClient, DescribeOrganizationCommand, ListAccountsCommand } from '@aws-sdk/client-organizations';
import { mockClient } from 'aws-sdk-client-mock';
import type { AwsStub } from 'aws-sdk-client-mock';
import type { ConnectorConfig } from '../aws/index.js';
import type { FauxqsFixture } from '../../test/support/fauxqs.js';
import { TEST_CREDENTIALS } from '../../test/support/fauxqs.js';
import { gzipLog, put, record, trailKey } from '../../test/support/trail-files.js';
import type { DoctorClients, DoctorStore } from './context.js';
import { runDoctor } from './engine.js';
import type { DoctorOptions } from './engine.js';
import type { CheckResult, DoctorRun } from './types.js';

export const NOW = new Date('2026-12-05T12:00:00Z');
export const ACCOUNT = '111122223333';
export const ORG_ID = 'o-a1b2c3d4e5';
export const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/TrailscopeReader`;
export const KEY_ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
export const MEMBER = '444455556666';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Stub = AwsStub<any, any, any>;
type Canned = (input: Record<string, unknown>) => Promise<Record<string, unknown>> | Record<string, unknown>;

export interface World {
  connector: ConnectorConfig;
  bucket: string;
  queueUrl: string;
  queueArn: string;
  dlqUrl: string;
  dlqArn: string;
  trail: Trail;
  /** The recent file put in the bucket. */
  fileKey: string;
  s3: S3Client;
  sqs: SQSClient;
  sts: Stub;
  /** STS with the credentials before AssumeRole. */
  baseSts: Stub;
  cloudtrail: Stub;
  cloudwatch: Stub;
  kms: Stub;
  organizations: Stub;
  /** Answers of the bucket-configuration calls fauxqs lacks, by command name; replace to break them. */
  canned: Record<string, Canned>;
  clients: DoctorClients;
  setQueue(attrs: Record<string, string>): Promise<void>;
  run(opts?: DoctorOptions): Promise<DoctorRun>;
  /** The result of one check in a full run. */
  check(id: string, opts?: DoctorOptions): Promise<CheckResult>;
}

let counter = 0;

export function denied(service: 'S3' | 'plain', message = 'Access Denied', name = 'AccessDenied'): Error {
  if (service === 'S3') return new S3ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: 403 }, message });
  return Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode: 400 } });
}

export function queuePolicyFor(queueArn: string, bucket: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AllowS3',
        Effect: 'Allow',
        Principal: { Service: 's3.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: queueArn,
        Condition: { ArnEquals: { 'aws:SourceArn': `arn:aws:s3:::${bucket}` }, StringEquals: { 'aws:SourceAccount': ACCOUNT } },
      },
    ],
  });
}

export function keyPolicyFor(principal: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Sid: 'EnableRoot', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::999999999999:root' }, Action: 'kms:*', Resource: '*' },
      { Sid: 'AllowReaderDecrypt', Effect: 'Allow', Principal: { AWS: principal }, Action: 'kms:Decrypt', Resource: '*', Condition: { Null: { 'kms:EncryptionContext:aws:cloudtrail:arn': 'false' } } },
    ],
  });
}

/** Builds a healthy set-up of the given type on the shared fauxqs. */
export async function healthyWorld(fx: FauxqsFixture, type: 'account' | 'organization' = 'account'): Promise<World> {
  const n = ++counter;
  const bucket = `trail-logs-${n}`;
  fx.server.createBucket(bucket);
  const dlq = fx.server.createQueue(`trailscope-dlq-${n}`, { attributes: { MessageRetentionPeriod: '1209600' } });
  const dlqArn = `arn:aws:sqs:us-east-1:000000000000:trailscope-dlq-${n}`;
  const queueName = `trailscope-${n}`;
  const queueArn = `arn:aws:sqs:us-east-1:000000000000:${queueName}`;
  const queue = fx.server.createQueue(queueName, {
    attributes: {
      VisibilityTimeout: '300',
      MessageRetentionPeriod: '1209600',
      MaximumMessageSize: '262144',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 5 }),
      Policy: queuePolicyFor(queueArn, bucket),
    },
  });

  const common = { region: 'us-east-1', endpoint: fx.endpoint, credentials: { ...TEST_CREDENTIALS }, maxAttempts: 1 };
  const s3 = new S3Client({ ...common, forcePathStyle: true });
  const sqs = new SQSClient(common);
  const canned: Record<string, Canned> = {};
  // fauxqs has no bucket configuration; these two calls get canned answers, all others go over the wire.
  s3.middlewareStack.add(
    (next, context) => async (args) => {
      const answer = canned[(context.commandName ?? '').replace(/Command$/, '')];
      if (!answer) return next(args);
      const output = await answer(args.input as Record<string, unknown>);
      return { output: { $metadata: {}, ...output }, response: {} } as Awaited<ReturnType<typeof next>>;
    },
    { step: 'initialize', name: 'cannedBucketConfiguration' },
  );

  const orgId = type === 'organization' ? ORG_ID : undefined;
  const fileKey = trailKey({ accountId: ACCOUNT, region: 'us-east-1', time: new Date(NOW.getTime() - 10 * 60_000), ...(orgId ? { orgId } : {}) });
  await put(s3, bucket, fileKey, gzipLog([record(`evt-${n}-1`), record(`evt-${n}-2`)]));
  if (orgId) {
    const memberKey = trailKey({ accountId: MEMBER, region: 'eu-west-1', time: new Date(NOW.getTime() - 20 * 60_000), orgId });
    await put(s3, bucket, memberKey, gzipLog([record(`evt-${n}-3`, { accountId: MEMBER })]));
  }
  const scope = orgId ? `AWSLogs/${orgId}/` : `AWSLogs/${ACCOUNT}/`;
  canned.GetBucketNotificationConfiguration = () => ({
    QueueConfigurations: [
      {
        Id: 'trailscope',
        QueueArn: queueArn,
        Events: ['s3:ObjectCreated:*'],
        Filter: { Key: { FilterRules: [{ Name: 'Prefix', Value: scope }, { Name: 'Suffix', Value: '.json.gz' }] } },
      },
    ],
  });
  canned.GetBucketLocation = () => ({ LocationConstraint: undefined });

  const stsClient = new STSClient({ region: 'us-east-1' });
  const sts = mockClient(stsClient);
  sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/TrailscopeReader/trailscope-1`, UserId: 'AROAEXAMPLE:trailscope-1' });

  const baseStsClient = new STSClient({ region: 'us-east-1' });
  const baseSts = mockClient(baseStsClient);
  baseSts.on(AssumeRoleCommand).rejects(denied('plain', `User: arn:aws:iam::${ACCOUNT}:user/trailscope is not authorized to perform: sts:AssumeRole on resource: ${ROLE_ARN}`));
  baseSts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/trailscope` });

  const trail: Trail = {
    Name: 'main',
    TrailARN: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/main`,
    HomeRegion: 'us-east-1',
    S3BucketName: bucket,
    IsMultiRegionTrail: true,
    IsOrganizationTrail: type === 'organization',
    IncludeGlobalServiceEvents: true,
    LogFileValidationEnabled: true,
    KmsKeyId: KEY_ARN,
  };
  const ctClient = new CloudTrailClient({ region: 'us-east-1' });
  const cloudtrail = mockClient(ctClient);
  cloudtrail.on(DescribeTrailsCommand).resolves({ trailList: [trail] });
  cloudtrail.on(GetTrailStatusCommand).resolves({ IsLogging: true, LatestDeliveryTime: new Date(NOW.getTime() - 5 * 60_000) });
  cloudtrail.on(GetEventSelectorsCommand).resolves({ EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [] }] });

  const kmsClient = new KMSClient({ region: 'us-east-1' });
  const kms = mockClient(kmsClient);
  kms.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: '1234abcd-12ab-34cd-56ef-1234567890ab', Arn: KEY_ARN, KeyState: 'Enabled', KeyManager: 'CUSTOMER' } });
  kms.on(GetKeyPolicyCommand).resolves({ Policy: keyPolicyFor(ROLE_ARN), PolicyName: 'default' });

  const orgClient = new OrganizationsClient({ region: 'us-east-1' });
  const organizations = mockClient(orgClient);
  organizations.on(DescribeOrganizationCommand).resolves({ Organization: { Id: ORG_ID } });
  organizations.on(ListAccountsCommand).resolves({
    Accounts: [
      { Id: ACCOUNT, Name: 'management', State: 'ACTIVE' },
      { Id: MEMBER, Name: 'workloads', State: 'ACTIVE' },
      { Id: '777788889999', Name: 'closed', State: 'CLOSED' },
    ],
  });

  const connector: ConnectorConfig = {
    name: `conn-${n}`,
    type,
    bucket,
    queueUrl: queue.queueUrl,
    region: 'us-east-1',
    roleArn: ROLE_ARN,
    externalId: '6f1c0c36-3c0c-4d5e-9a31-b0b6a3d1e2f4',
    kmsKeyArn: KEY_ARN,
    ...(type === 'organization' ? { organizationId: ORG_ID } : { accountId: ACCOUNT }),
  };
  const cwClient = new CloudWatchClient({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const cloudwatch = mockClient(cwClient);
  cloudwatch.on(GetMetricStatisticsCommand).resolves({ Datapoints: [{ Timestamp: new Date(NOW.getTime() - 5 * 60_000), Maximum: 30 }] });
  const clients: DoctorClients = {
    cloudwatch: cwClient,
    s3,
    sqs,
    sts: stsClient,
    baseSts: baseStsClient,
    cloudtrail: ctClient,
    organizations: orgClient,
    kmsIn: () => kmsClient,
    principal: async () => ROLE_ARN,
  };
  const world: World = {
    connector,
    bucket,
    queueUrl: queue.queueUrl,
    queueArn,
    dlqUrl: dlq.queueUrl,
    dlqArn,
    trail,
    fileKey,
    s3,
    sqs,
    sts,
    baseSts,
    cloudtrail,
    cloudwatch,
    kms,
    organizations,
    canned,
    clients,
    async setQueue(attrs) {
      await sqs.send(new SetQueueAttributesCommand({ QueueUrl: queue.queueUrl, Attributes: attrs }));
    },
    run(opts = {}) {
      return runDoctor(world.connector, { clients: world.clients, now: () => NOW, ...opts });
    },
    async check(id, opts) {
      const run = await world.run(opts);
      const r = run.results.find((x) => x.id === id);
      if (!r) throw new Error(`no result for ${id}`);
      return r;
    },
  };
  return world;
}

/** A store whose coverage says when each account last delivered (the part the doctor reads). */
export function coverageStore(lastFileByAccount: Record<string, string>): DoctorStore {
  return {
    coverage: {
      async regions(q = {}) {
        return Object.entries(lastFileByAccount)
          .filter(([a]) => !q.accountId || a === q.accountId)
          .map(([accountId, last]) => ({ accountId, region: 'us-east-1', first: '2026-11-01T00:00:00.000Z', last }));
      },
    },
  };
}
