/**
 * What the checks share: the connector, the AWS clients, the optional store, and the AWS facts
 * several checks look at (the trail, the queue's attributes, the bucket's notification rules, a
 * recent file). Each fact is fetched once per run, so a dozen checks make a handful of calls:
 * CloudTrail's read APIs allow 10 calls a second per account and region.
 */
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { STSClient } from '@aws-sdk/client-sts';
import type { GetCallerIdentityCommandOutput } from '@aws-sdk/client-sts';
import { DescribeTrailsCommand, GetEventSelectorsCommand, GetTrailStatusCommand } from '@aws-sdk/client-cloudtrail';
import type { GetEventSelectorsCommandOutput, GetTrailStatusCommandOutput, Trail } from '@aws-sdk/client-cloudtrail';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { GetBucketLocationCommand, GetBucketNotificationConfigurationCommand } from '@aws-sdk/client-s3';
import type { GetBucketNotificationConfigurationCommandOutput } from '@aws-sdk/client-s3';
import type { AwsClients, ConnectorConfig } from '../aws/index.js';
import type { CoverageRegion } from '../store/index.js';
import { listTrailKeys, logsRoot } from '../sources/index.js';
import type { TrailKey } from '../sources/index.js';
import { diagnosticCall } from './aws-errors.js';
import { queueRegionFromUrl, regionOfArn } from './arn.js';

/** The clients the doctor uses (a subset of AwsClients, so tests can pass their own). */
export type DoctorClients = Pick<AwsClients, 's3' | 'sqs' | 'sts' | 'cloudtrail' | 'organizations' | 'kmsIn' | 'principal'> & Partial<Pick<AwsClients, 'cloudwatch' | 'sns' | 'eventbridge'>> & {
  /** STS with the credentials before AssumeRole, to see whether the role demands the ExternalId. */
  baseSts?: STSClient;
};

/** The part of the store the doctor reads: when each account last delivered a file. */
export interface DoctorStore {
  coverage: { regions(q?: { accountId?: string }): Promise<CoverageRegion[]> };
}

export interface DoctorThresholds {
  /** Below this VisibilityTimeout (seconds) a slow heartbeat call lets a message reappear mid-file. */
  minVisibilityTimeout: number;
  /** Below this MessageRetentionPeriod (seconds) a weekend outage loses notifications. */
  minRetention: number;
  /** Visible messages above this are a backlog worth a warning. */
  backlogWarn: number;
  /** An oldest message older than this (seconds) is a warning: files reach trailscope that late. */
  oldestMessageWarnSeconds: number;
  /** Last delivery older than this (ms) is a warning; older than `deliveryFailMs` a failure. */
  deliveryWarnMs: number;
  deliveryFailMs: number;
  /** An account with no file in this long (ms) is reported by account-files-recent. */
  accountSilentMs: number;
}

export const DEFAULT_THRESHOLDS: DoctorThresholds = {
  minVisibilityTimeout: 30,
  minRetention: 4 * 86_400,
  backlogWarn: 10_000,
  oldestMessageWarnSeconds: 3_600,
  deliveryWarnMs: 3_600_000,
  deliveryFailMs: 86_400_000,
  accountSilentMs: 86_400_000,
};

export interface FoundTrail {
  trail: Trail;
  /** Other trails writing to the same bucket and prefix. */
  others: Trail[];
}

/** A recent CloudTrail key of the connector's bucket, or why none was found. */
export type RecentKey = { key: TrailKey } | { none: string };

export class DoctorContext {
  readonly logsRoot: string;
  private readonly memo = new Map<string, Promise<unknown>>();

  constructor(
    readonly connector: ConnectorConfig,
    readonly clients: DoctorClients,
    readonly store: DoctorStore | undefined,
    readonly now: () => Date,
    readonly thresholds: DoctorThresholds,
  ) {
    this.logsRoot = logsRoot(connector.prefix);
  }

  /** Memoizes one fact per run; a failure is remembered too, so every check sees the same answer. */
  private once<T>(name: string, load: () => Promise<T>): Promise<T> {
    let p = this.memo.get(name) as Promise<T> | undefined;
    if (!p) {
      p = load();
      p.catch(() => undefined);
      this.memo.set(name, p);
    }
    return p;
  }

  get bucketArn(): string {
    return `arn:aws:s3:::${this.connector.bucket}`;
  }

  identity(): Promise<GetCallerIdentityCommandOutput> {
    return this.once('identity', () => this.clients.sts.send(new GetCallerIdentityCommand({})));
  }

  /** The IAM principal trailscope acts as (the role when one is assumed). */
  principal(): Promise<string | undefined> {
    return this.once('principal', () => this.clients.principal().catch(() => undefined));
  }

  /** The trail delivering to the connector's bucket and prefix, or undefined when none is visible. */
  trail(): Promise<FoundTrail | undefined> {
    return this.once('trail', async () => {
      const res = await diagnosticCall('cloudtrail:DescribeTrails', undefined, () =>
        this.clients.cloudtrail.send(new DescribeTrailsCommand({ includeShadowTrails: true })),
      );
      const wantPrefix = this.connector.prefix ?? '';
      const matching = (res.trailList ?? []).filter(
        (t) => t.S3BucketName === this.connector.bucket && (t.S3KeyPrefix ?? '').replace(/^\/+|\/+$/g, '') === wantPrefix,
      );
      // The organization trail for an organization connector, then a multi-region one.
      const score = (t: Trail) => (this.connector.type === 'organization' && t.IsOrganizationTrail ? 2 : 0) + (t.IsMultiRegionTrail ? 1 : 0);
      matching.sort((a, b) => score(b) - score(a));
      const [trail, ...others] = matching;
      return trail ? { trail, others } : undefined;
    });
  }

  trailStatus(trail: Trail): Promise<GetTrailStatusCommandOutput> {
    // Organization trails seen from a member account answer only to their ARN.
    const name = trail.TrailARN ?? trail.Name ?? '';
    return this.once(`status:${name}`, () =>
      diagnosticCall('cloudtrail:GetTrailStatus', name, () => this.clients.cloudtrail.send(new GetTrailStatusCommand({ Name: name }))),
    );
  }

  eventSelectors(trail: Trail): Promise<GetEventSelectorsCommandOutput> {
    const name = trail.TrailARN ?? trail.Name ?? '';
    return this.once(`selectors:${name}`, () =>
      diagnosticCall('cloudtrail:GetEventSelectors', name, () => this.clients.cloudtrail.send(new GetEventSelectorsCommand({ TrailName: name }))),
    );
  }

  /** Every attribute of the connector's queue (the caller checks that queueUrl is set). */
  queueAttributes(): Promise<Record<string, string>> {
    const url = this.connector.queueUrl ?? '';
    return this.once('queue', async () => {
      const res = await diagnosticCall('sqs:GetQueueAttributes', url, () =>
        this.clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] })),
      );
      return res.Attributes ?? {};
    });
  }

  async queueArn(): Promise<string> {
    const attrs = await this.queueAttributes();
    return attrs.QueueArn ?? '';
  }

  /** The queue's region: its ARN's, else its URL's. */
  async queueRegion(): Promise<string | undefined> {
    return regionOfArn(await this.queueArn()) ?? queueRegionFromUrl(this.connector.queueUrl ?? '');
  }

  notification(): Promise<GetBucketNotificationConfigurationCommandOutput> {
    return this.once('notification', () =>
      diagnosticCall('s3:GetBucketNotification', this.bucketArn, () =>
        this.clients.s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: this.connector.bucket })),
      ),
    );
  }

  /** The bucket's region (GetBucketLocation says null for us-east-1 and EU for the old eu-west-1). */
  bucketRegion(): Promise<string> {
    return this.once('bucket-region', async () => {
      const res = await diagnosticCall('s3:GetBucketLocation', this.bucketArn, () =>
        this.clients.s3.send(new GetBucketLocationCommand({ Bucket: this.connector.bucket })),
      );
      const c = res.LocationConstraint as string | undefined;
      return !c ? 'us-east-1' : c === 'EU' ? 'eu-west-1' : c;
    });
  }

  /** The newest CloudTrail file delivered since yesterday 00:00 UTC. */
  recentKey(): Promise<RecentKey> {
    return this.once('recent-key', async () => {
      const now = this.now().getTime();
      const since = new Date(now - 86_400_000).toISOString().slice(0, 10) + 'T00:00:00Z';
      const opts = {
        bucket: this.connector.bucket,
        since,
        until: now + 60_000,
        ...(this.connector.prefix ? { prefix: this.connector.prefix } : {}),
        ...(this.connector.accountId ? { accountIds: [this.connector.accountId] } : {}),
        ...(this.connector.organizationId ? { orgIds: [this.connector.organizationId] } : {}),
      };
      let newest: TrailKey | undefined;
      let seen = 0;
      await diagnosticCall('s3:ListBucket', this.bucketArn, async () => {
        // A sample is enough: the newest of the first 200 keys is recent by construction.
        for await (const k of listTrailKeys(this.clients.s3, opts)) {
          if (!newest || k.deliveredAt > newest.deliveredAt) newest = k;
          if (++seen >= 200) break;
        }
      });
      return newest ? { key: newest } : { none: `no CloudTrail file delivered since ${since} under s3://${this.connector.bucket}/${this.logsRoot}` };
    });
  }

  /** Memoized facts of a check's own (organization accounts and the like). */
  fact<T>(name: string, load: () => Promise<T>): Promise<T> {
    return this.once(`fact:${name}`, load);
  }
}
