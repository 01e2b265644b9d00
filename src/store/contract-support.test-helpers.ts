/**
 * Shared pieces of the Store contract suite (see ./contract.test-helpers.ts): the harness an
 * implementation provides, what each area's tests receive, and hand-made events and file records.
 */
import type { NormalizedEvent } from '../model/index.js';
import type { FileRecord, Store } from './types.js';

export interface ContractHarness {
  /** A new, empty store location (a file path, a database URL) for one test. */
  fresh(): Promise<string>;
  open(location: string): Promise<Store>;
  /** Bytes the store occupies on disk, when the implementation can tell (after settling). */
  diskBytes?(store: Store, location: string): Promise<number>;
}

/** What each area of the contract suite gets from runStoreContract. */
export interface ContractContext {
  /** The implementation's name, for test titles and output. */
  name: string;
  h: ContractHarness;
  /** Opens a store (a fresh one when no location is given); closed after the suite. */
  open: (location?: string) => Promise<Store>;
}

export const T0 = Date.parse('2026-03-01T00:00:00Z');
export const iso = (ms: number) => {
  const s = new Date(ms).toISOString();
  return s.endsWith('.000Z') ? `${s.slice(0, 19)}Z` : s;
};
export const MIN = 60_000;
export const HOUR = 3_600_000;

let counter = 0;
/** A small hand-made event; fields as the parser would emit them. */
export function makeEvent(over: Partial<NormalizedEvent> & { t?: number } = {}): NormalizedEvent {
  const n = ++counter;
  const { t, ...rest } = over;
  const eventTime = iso(t ?? T0 + n * MIN);
  const eventID = rest.eventID ?? `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
  const principalArn = rest.principalArn === undefined ? 'arn:aws:iam::111111111111:role/app' : rest.principalArn;
  const errorCode = rest.errorCode ?? null;
  const raw: Record<string, unknown> = {
    eventVersion: '1.08',
    userIdentity: { type: 'AssumedRole', arn: `${principalArn}/s`, accountId: '111111111111' },
    eventTime,
    eventSource: rest.eventSource ?? 's3.amazonaws.com',
    eventName: rest.eventName ?? 'ListBuckets',
    awsRegion: 'eu-west-1',
    sourceIPAddress: '198.51.100.7',
    userAgent: 'aws-cli/2.15.0',
    ...(errorCode ? { errorCode, errorMessage: 'denied' } : {}),
    requestParameters: null,
    responseElements: null,
    eventID,
    readOnly: true,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: rest.recipientAccountId === undefined ? '111111111111' : rest.recipientAccountId,
    eventCategory: 'Management',
  };
  return {
    eventID,
    eventTime,
    eventVersion: '1.08',
    eventSource: 's3.amazonaws.com',
    eventName: 'ListBuckets',
    eventType: 'AwsApiCall',
    eventCategory: 'Management',
    awsRegion: 'eu-west-1',
    recipientAccountId: '111111111111',
    readOnly: true,
    errorCode,
    errorMessage: errorCode ? 'denied' : null,
    sourceIPAddress: '198.51.100.7',
    userAgent: 'aws-cli/2.15.0',
    identityType: 'AssumedRole',
    principalArn,
    principalAccountId: '111111111111',
    sessionName: 's',
    invokedBy: null,
    accessKeyId: null,
    mfaAuthenticated: null,
    actions: ['s3:ListAllMyBuckets'],
    resources: [],
    raw,
    ...rest,
  };
}

export function fileRecord(key: string, over: Partial<FileRecord> = {}): FileRecord {
  return {
    source: 'file',
    key,
    size: 1234,
    etag: 'abc',
    status: 'done',
    kind: 'events',
    eventCount: 0,
    newEvents: 0,
    connector: 'import',
    accountId: '111111111111',
    processedAt: '2026-03-02T00:00:00.000Z',
    ...over,
  };
}
