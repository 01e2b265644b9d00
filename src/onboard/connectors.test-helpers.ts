/** Connectors for the onboarding tests. */
import type { Connector } from '../connectors/types.js';

export const KEY_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

export function testConnector(fields: Partial<Connector> = {}): Connector {
  return {
    name: 'prod',
    type: 'account',
    bucket: 'prod-cloudtrail-logs',
    queueUrl: 'https://sqs.eu-west-1.amazonaws.com/111122223333/trailscope-prod',
    region: 'eu-west-1',
    externalId: '6f1c0c36-3c0c-4d5e-9a31-b0b6a3d1e2f4',
    trail: 'existing',
    enabled: true,
    createdAt: '2026-12-01T00:00:00Z',
    updatedAt: '2026-12-01T00:00:00Z',
    ...fields,
  };
}

/** Every combination the templates must handle: with/without KMS and prefix, account/organization. */
export function connectorMatrix(): { label: string; connector: Connector }[] {
  const out: { label: string; connector: Connector }[] = [];
  for (const type of ['account', 'organization'] as const) {
    for (const prefix of [undefined, 'trails/prod']) {
      for (const kmsKeyArn of [undefined, KEY_ARN]) {
        const connector = testConnector({
          type,
          ...(type === 'organization' ? { organizationId: 'o-a1b2c3d4e5' } : {}),
          ...(prefix ? { prefix } : {}),
          ...(kmsKeyArn ? { kmsKeyArn } : {}),
        });
        out.push({ label: `${type}, ${prefix ? 'prefix' : 'no prefix'}, ${kmsKeyArn ? 'KMS' : 'no KMS'}`, connector });
      }
    }
  }
  return out;
}
