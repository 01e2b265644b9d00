/**
 * The only place that builds AWS SDK clients.
 *
 * Credentials come from the SDK's default chain (env, shared config/profile, SSO, container and
 * instance roles), or, with `roleArn`, from STS AssumeRole on top of that chain, with the
 * ExternalId the customer's role trust policy demands. Assumed-role credentials are cached and
 * shared by every client of the connection, and refreshed shortly before they expire.
 *
 * `endpointUrl` points S3 and SQS at an S3/SQS-compatible server (MinIO, LocalStack, fauxqs);
 * S3 then uses path-style addressing. STS, KMS, IAM, Organizations and CloudTrail always talk to
 * AWS itself. trailscope only ever reads: nothing here is used to write to AWS.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { SNSClient } from '@aws-sdk/client-sns';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { KMSClient } from '@aws-sdk/client-kms';
import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { IAMClient } from '@aws-sdk/client-iam';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { fromNodeProviderChain, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { prepareAwsSdk } from './node-support.js';

/** AWS credentials (structurally the SDK's AwsCredentialIdentity). */
export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
  credentialScope?: string;
  accountId?: string;
}
/** A credentials provider (structurally the SDK's CredentialsProvider). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type CredentialsProvider = (identityProperties?: Record<string, any>) => Promise<Credentials>;

export interface AwsConnection {
  /** Region for regional clients (SQS, KMS, STS, CloudTrail); default from the environment/profile. */
  region?: string;
  /** S3/SQS-compatible endpoint, e.g. http://localhost:4566. Applies to S3 and SQS only. */
  endpointUrl?: string;
  /** Role to assume (cross-account reader role). */
  roleArn?: string;
  /** ExternalId required by the role's trust policy. */
  externalId?: string;
  /** Shared-config profile for the base credentials. */
  profile?: string;
  /** Path-style S3 addressing; defaults to true when endpointUrl is set. */
  forcePathStyle?: boolean;
  /** Explicit base credentials (tests, or credentials obtained elsewhere). */
  credentials?: Credentials | CredentialsProvider;
  /** Assumed-role session length in seconds (default 3600). */
  sessionDurationSeconds?: number;
  /** Clock, for tests of credential refresh. */
  now?: () => number;
}

export interface AwsClients {
  readonly connection: AwsConnection;
  readonly region: string | undefined;
  readonly s3: S3Client;
  /** CloudWatch in the connection's region (the doctor reads the queue's oldest-message age). */
  readonly cloudwatch: CloudWatchClient;
  /** SNS and EventBridge in the connection's region (the doctor reads subscriptions and rules). */
  readonly sns: SNSClient;
  readonly eventbridge: EventBridgeClient;
  readonly sqs: SQSClient;
  /** KMS in the connection's region. */
  readonly kms: KMSClient;
  readonly sts: STSClient;
  readonly iam: IAMClient;
  readonly organizations: OrganizationsClient;
  readonly cloudtrail: CloudTrailClient;
  /** KMS in a given region (a key ARN names its region; KMS calls must go there). */
  kmsIn(region: string): KMSClient;
  /** The credentials provider every client of this connection shares. */
  readonly credentials: CredentialsProvider;
  /**
   * The IAM principal trailscope acts as, for error messages and policy snippets: the role ARN
   * when a role is assumed, otherwise sts:GetCallerIdentity's ARN with an assumed-role session
   * turned back into its role ARN. undefined when it cannot be found out.
   */
  principal(): Promise<string | undefined>;
  destroy(): void;
}

/** Refresh assumed-role credentials this long before they expire. */
export const REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;
const APP_ID = 'trailscope';

/** RoleSessionName shown in the customer's CloudTrail for our calls: trailscope-<time>. */
export function roleSessionName(now: number = Date.now()): string {
  return `trailscope-${now}`.slice(0, 64);
}

/**
 * Wraps a provider so concurrent callers share one in-flight fetch and the result is reused
 * until REFRESH_BEFORE_EXPIRY_MS before its expiration.
 */
export function memoizeCredentials(
  provider: CredentialsProvider,
  now: () => number = Date.now,
): CredentialsProvider {
  let cached: Credentials | undefined;
  let pending: Promise<Credentials> | undefined;
  const fresh = (c: Credentials) =>
    !c.expiration || c.expiration.getTime() - now() > REFRESH_BEFORE_EXPIRY_MS;
  return async (props) => {
    if (cached && fresh(cached)) return cached;
    if (!pending) {
      pending = provider(props).then(
        (c) => {
          cached = c;
          pending = undefined;
          return c;
        },
        (err: unknown) => {
          pending = undefined;
          throw err;
        },
      );
    }
    return pending;
  };
}

function baseCredentials(conn: AwsConnection): CredentialsProvider {
  if (conn.credentials) {
    const c = conn.credentials;
    return typeof c === 'function' ? c : async () => c;
  }
  return fromNodeProviderChain(conn.profile ? { profile: conn.profile } : {});
}

/** The credentials provider for a connection: the default chain, or AssumeRole on top of it. */
export function credentialsFor(conn: AwsConnection): CredentialsProvider {
  const base = baseCredentials(conn);
  if (!conn.roleArn) return base;
  const now = conn.now ?? Date.now;
  // fromTemporaryCredentials calls AssumeRole on every invocation (it does not cache); the
  // memoizer below makes all clients share one session and refresh it before it expires.
  const assume = fromTemporaryCredentials({
    masterCredentials: base,
    params: {
      RoleArn: conn.roleArn,
      // Shown in the customer's CloudTrail as the session of our calls.
      RoleSessionName: roleSessionName(now()),
      DurationSeconds: conn.sessionDurationSeconds ?? 3600,
      ...(conn.externalId ? { ExternalId: conn.externalId } : {}),
    },
    clientConfig: { region: conn.region ?? 'us-east-1', userAgentAppId: APP_ID },
  });
  return memoizeCredentials(assume, now);
}

/** arn:aws:sts::123:assumed-role/Role/session → arn:aws:iam::123:role/Role (path unknown, so none). */
export function principalFromCallerArn(arn: string): string {
  const m = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(arn);
  return m ? `arn:${m[1]}:iam::${m[2]}:role/${m[3]}` : arn;
}

export function createClients(conn: AwsConnection): AwsClients {
  prepareAwsSdk();
  const credentials = credentialsFor(conn);
  const region = conn.region;
  const common = {
    ...(region ? { region } : {}),
    credentials,
    userAgentAppId: APP_ID,
    ...(conn.profile && !conn.roleArn ? { profile: conn.profile } : {}),
  };
  const endpoint = conn.endpointUrl ? { endpoint: conn.endpointUrl } : {};
  const lazy = <T extends { destroy(): void }>(make: () => T) => {
    let v: T | undefined;
    return {
      get: () => (v ??= make()),
      destroy: () => v?.destroy(),
    };
  };
  const s3 = lazy(
    () =>
      new S3Client({
        ...common,
        ...endpoint,
        forcePathStyle: conn.forcePathStyle ?? Boolean(conn.endpointUrl),
        // A bucket in another region than ours answers with a redirect; follow it.
        followRegionRedirects: !conn.endpointUrl,
        maxAttempts: 4,
      }),
  );
  const sqs = lazy(() => new SQSClient({ ...common, ...endpoint }));
  const sts = lazy(() => new STSClient(common));
  const iam = lazy(() => new IAMClient(common));
  const organizations = lazy(() => new OrganizationsClient(common));
  const cloudtrail = lazy(() => new CloudTrailClient(common));
  const cloudwatch = lazy(() => new CloudWatchClient(common));
  const sns = lazy(() => new SNSClient(common));
  const eventbridge = lazy(() => new EventBridgeClient(common));
  const kmsByRegion = new Map<string, KMSClient>();
  const kmsDefault = lazy(() => new KMSClient(common));
  let principal: Promise<string | undefined> | undefined;

  return {
    connection: conn,
    region,
    credentials,
    get s3() {
      return s3.get();
    },
    get sqs() {
      return sqs.get();
    },
    get kms() {
      return kmsDefault.get();
    },
    get sts() {
      return sts.get();
    },
    get iam() {
      return iam.get();
    },
    get organizations() {
      return organizations.get();
    },
    get cloudtrail() {
      return cloudtrail.get();
    },
    get cloudwatch() {
      return cloudwatch.get();
    },
    get sns() {
      return sns.get();
    },
    get eventbridge() {
      return eventbridge.get();
    },
    kmsIn(r: string) {
      if (r === region) return kmsDefault.get();
      let c = kmsByRegion.get(r);
      if (!c) {
        c = new KMSClient({ ...common, region: r });
        kmsByRegion.set(r, c);
      }
      return c;
    },
    principal() {
      if (conn.roleArn) return Promise.resolve(conn.roleArn);
      principal ??= sts
        .get()
        .send(new GetCallerIdentityCommand({}))
        .then((r) => (r.Arn ? principalFromCallerArn(r.Arn) : undefined))
        .catch(() => undefined);
      return principal;
    },
    destroy() {
      for (const c of [s3, sqs, sts, iam, organizations, cloudtrail, cloudwatch, sns, eventbridge, kmsDefault]) c.destroy();
      for (const c of kmsByRegion.values()) c.destroy();
    },
  };
}
