/** A CloudTrail record as delivered, for tests of record texts (parse) and of stored lines (store). */
export const RECORD_ID = '3f0c1b2a-1111-4222-8333-944455556666';

export function record(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventVersion: '1.08',
    userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::123456789012:user/a', accountId: '123456789012' },
    eventTime: '2024-05-01T10:00:00Z',
    eventSource: 's3.amazonaws.com',
    eventName: 'GetObject',
    awsRegion: 'us-east-1',
    eventID: RECORD_ID,
    recipientAccountId: '123456789012',
    ...extra,
  };
}
