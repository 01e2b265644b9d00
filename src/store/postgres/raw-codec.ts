import { deflateRawSync, inflateRawSync } from 'node:zlib';

/**
 * events.raw_codec 1: the event's compact raw line (src/store/encode/raw.ts) compressed on its
 * own with raw deflate and a preset dictionary of CloudTrail's field names and common values.
 * A record stands alone (dedup decides per row, a removal deletes rows), and a lone record
 * compresses badly without shared context: the dictionary gives that context. On CloudTrail
 * management events it halves the size brotli reaches per record, at half brotli's CPU.
 * NEVER edit this dictionary: stored rows need exactly these bytes. A better one is a new codec.
 */
export const RAW_DEFLATE_DICT1 = 1;
/** events.raw_codec 2: the record is a line of a raw_blocks row (see ./events-schema.ts). */
export const RAW_IN_BLOCK = 2;

const DICTIONARY_V1 = Buffer.from(
  JSON.stringify([
    {
      eventVersion: '1.08',
      userIdentity: {
        type: 'AssumedRole',
        principalId: 'AROA:',
        arn: 'arn:aws:sts::assumed-role/',
        accountId: '',
        accessKeyId: 'ASIA',
        sessionContext: {
          sessionIssuer: { type: 'Role', principalId: 'AROA', arn: 'arn:aws:iam::role/', accountId: '', userName: '' },
          webIdFederationData: {},
          attributes: { creationDate: 'T00:00:00Z', mfaAuthenticated: 'false' },
        },
        invokedBy: '.amazonaws.com',
      },
      eventTime: '2026-01-01T00:00:00Z',
      eventSource: '.amazonaws.com',
      eventName: '',
      awsRegion: 'us-east-1',
      sourceIPAddress: '',
      userAgent: 'aws-cli/2 Python/3 Linux/ botocore/ aws-sdk-java/ Boto3/',
      errorCode: 'AccessDenied',
      errorMessage: 'User: is not authorized to perform: on resource: because no identity-based policy allows the action',
      requestParameters: null,
      responseElements: null,
      additionalEventData: {},
      requestID: '',
      eventID: 0,
      readOnly: true,
      resources: [{ accountId: '', type: 'AWS::', ARN: 'arn:aws:' }],
      eventType: 'AwsApiCall',
      apiVersion: '',
      managementEvent: true,
      recipientAccountId: '',
      sharedEventID: '',
      vpcEndpointId: 'vpce-',
      eventCategory: 'Management',
      tlsDetails: { tlsVersion: 'TLSv1.2', cipherSuite: 'ECDHE-RSA-AES128-GCM-SHA256', clientProvidedHostHeader: '.amazonaws.com' },
    },
    { userIdentity: { type: 'IAMUser', principalId: 'AIDA', arn: 'arn:aws:iam::user/', accountId: '', accessKeyId: 'AKIA', userName: '' } },
    { userIdentity: { type: 'AWSService', invokedBy: '' }, eventType: 'AwsServiceEvent', readOnly: false, managementEvent: false, eventCategory: 'Data' },
    {
      userIdentity: { type: 'Root', principalId: '', arn: 'arn:aws:iam::root', accountId: '' },
      eventType: 'AwsConsoleSignIn',
      responseElements: { ConsoleLogin: 'Success' },
      additionalEventData: { LoginTo: 'https://console.aws.amazon.com/', MobileVersion: 'No', MFAUsed: 'No' },
    },
  ]),
);

/** Codec 1 as version 1 wrote it; stores now write blocks (codec 2), tests write old rows with it. */
export function compressLine(line: Uint8Array): Buffer {
  return deflateRawSync(line, { dictionary: DICTIONARY_V1 });
}

export function decompressLine(codec: number, data: Buffer): string {
  if (codec !== RAW_DEFLATE_DICT1) throw new Error(`raw record codec ${codec} is unknown to this trailscope; upgrade trailscope`);
  return inflateRawSync(data, { dictionary: DICTIONARY_V1 }).toString('utf8');
}
