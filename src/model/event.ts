/**
 * The one typed event every CloudTrail record is normalised into.
 * Field names follow CloudTrail's own where CloudTrail has one, so JSON output
 * stays familiar to anyone who has read a trail file.
 */
export type EventCategory = 'Management' | 'Data' | 'Insight' | 'NetworkActivity';

export interface NormalizedEvent {
  eventID: string;
  /** CloudTrail's eventTime, ISO-8601 UTC. Never the ingestion time. */
  eventTime: string;
  eventVersion: string | null;
  eventSource: string;
  eventName: string;
  eventType: string | null;
  /** Records older than eventVersion 1.07 have no category and count as Management. */
  eventCategory: EventCategory | string;
  awsRegion: string;
  /** The account that received this copy of the event (the account folder of an org trail). */
  recipientAccountId: string | null;
  readOnly: boolean | null;
  errorCode: string | null;
  errorMessage: string | null;
  sourceIPAddress: string | null;
  userAgent: string | null;
  /** userIdentity.type: Root, IAMUser, AssumedRole, AWSService, IdentityCenterUser, ... (open set). */
  identityType: string | null;
  /**
   * The IAM ARN of the acting identity: the user ARN, the role ARN for role sessions
   * (from sessionContext.sessionIssuer), arn:aws:iam::<acct>:root for root, the service
   * principal for AWS service calls. Never an STS session ARN.
   */
  principalArn: string | null;
  /** The account of the acting identity (userIdentity.accountId). */
  principalAccountId: string | null;
  /** Role session name, kept apart from the role; for Identity Center sessions, the person. */
  sessionName: string | null;
  /** The service that made the call on the principal's behalf (userIdentity.invokedBy). */
  invokedBy: string | null;
  accessKeyId: string | null;
  mfaAuthenticated: boolean | null;
  /**
   * IAM actions this call exercised (as IAM spells them, e.g. s3:ListAllMyBuckets), including
   * inferred iam:PassRole. When errorCode is set these were attempted, not exercised.
   */
  actions: string[];
  /** ARNs of resources the request named (CloudTrail's resources[] and inferred ones such as a passed role). */
  resources: string[];
  /** The original record, unchanged. */
  raw: Record<string, unknown>;
}

/** Where an event file came from: a local path or an S3 object. */
export interface FileRef {
  /** 'file' for local paths, otherwise the S3 bucket name. */
  source: string;
  /** The local path or the S3 key. */
  key: string;
  size?: number;
  etag?: string;
}

export type FileKind = 'events' | 'digest' | 'insight' | 'other';

/** The JSON shape of one event (`events --json`, the API): CloudTrail's own field names, plus principalArn and actions. */
export function eventToJson(e: NormalizedEvent, withRaw: boolean): Record<string, unknown> {
  const { raw, ...fields } = e;
  return withRaw ? { ...fields, raw } : fields;
}
