import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DescribeTrailsCommand, GetEventSelectorsCommand, GetTrailStatusCommand } from '@aws-sdk/client-cloudtrail';
import { startFauxqsForTest } from '../../../test/support/fauxqs.js';
import type { FauxqsFixture } from '../../../test/support/fauxqs.js';
import { NOW, healthyWorld } from '../doctor.test-helpers.js';

let fx: FauxqsFixture;
before(async () => {
  fx = await startFauxqsForTest();
});
after(() => fx.stop());

const TRAIL = 'arn:aws:cloudtrail:us-east-1:111122223333:trail/main';

test('trail-configured: no trail writing to the bucket and prefix fails with the create-trail command', async () => {
  const w = await healthyWorld(fx);
  w.cloudtrail.on(DescribeTrailsCommand).resolves({ trailList: [{ ...w.trail, S3KeyPrefix: 'other' }] });
  const run = await w.run();
  const r = run.results.find((x) => x.id === 'trail-configured')!;
  assert.equal(r.status, 'fail');
  assert.equal(r.found, `no trail visible to account 111122223333 delivers to s3://${w.bucket}/AWSLogs/ (cloudtrail:DescribeTrails, shadow trails included)`);
  assert.match(r.fix!, new RegExp(`^create one .*: aws cloudtrail create-trail --name trailscope --s3-bucket-name ${w.bucket} --is-multi-region-trail && aws cloudtrail start-logging --name trailscope`));
  for (const id of ['trail-logging', 'management-events']) {
    assert.equal(run.results.find((x) => x.id === id)!.status, 'skip', id);
  }
});

test('trail-configured: a single-region trail fails with update-trail --is-multi-region-trail', async () => {
  const w = await healthyWorld(fx);
  w.cloudtrail.on(DescribeTrailsCommand).resolves({ trailList: [{ ...w.trail, IsMultiRegionTrail: false }] });
  const r = await w.check('trail-configured');
  assert.equal(r.status, 'fail');
  assert.match(r.found, /records only its home region us-east-1/);
  assert.equal(r.fix, `aws cloudtrail update-trail --name ${TRAIL} --is-multi-region-trail`);
});

test('trail-configured: an organization connector whose trail is an account trail fails; global events off warns', async () => {
  const w = await healthyWorld(fx, 'organization');
  w.cloudtrail.on(DescribeTrailsCommand).resolves({ trailList: [{ ...w.trail, IsOrganizationTrail: false }] });
  const r = await w.check('trail-configured');
  assert.equal(r.status, 'fail');
  assert.match(r.found, /is not an organization trail/);
  assert.equal(r.fix, `from the organization's management account: aws cloudtrail update-trail --name ${TRAIL} --is-organization-trail`);

  w.cloudtrail.on(DescribeTrailsCommand).resolves({ trailList: [{ ...w.trail, IncludeGlobalServiceEvents: false }] });
  const g = await w.check('trail-configured');
  assert.equal(g.status, 'warn');
  assert.equal(g.fix, `aws cloudtrail update-trail --name ${TRAIL} --include-global-service-events`);
});

test('trail-logging: a stopped trail fails with start-logging, asked by ARN', async () => {
  const w = await healthyWorld(fx);
  w.cloudtrail.on(GetTrailStatusCommand).resolves({ IsLogging: false, StopLoggingTime: new Date('2026-12-01T08:00:00Z') });
  const r = await w.check('trail-logging');
  assert.equal(r.status, 'fail');
  assert.equal(r.found, `trail ${TRAIL} is not logging (stopped 2026-12-01T08:00:00.000Z)`);
  assert.equal(r.fix, `aws cloudtrail start-logging --name ${TRAIL}`);
  assert.equal(w.cloudtrail.commandCalls(GetTrailStatusCommand)[0]!.args[0].input.Name, TRAIL);
});

test('trail-logging: a delivery error fails with the bucket-policy statement CloudTrail needs; a KMS error with the key statement', async () => {
  const w = await healthyWorld(fx);
  w.cloudtrail.on(GetTrailStatusCommand).resolves({ IsLogging: true, LatestDeliveryError: 'AccessDenied', LatestDeliveryTime: new Date(NOW.getTime() - 60_000) });
  const r = await w.check('trail-logging');
  assert.equal(r.status, 'fail');
  assert.equal(r.found, `trail ${TRAIL} fails to deliver to s3://${w.bucket}: AccessDenied`);
  assert.match(
    r.fix!,
    new RegExp(
      `^add to the bucket policy of ${w.bucket}: \\{"Sid":"AWSCloudTrailWrite","Effect":"Allow","Principal":\\{"Service":"cloudtrail.amazonaws.com"\\},"Action":"s3:PutObject","Resource":"arn:aws:s3:::${w.bucket}/AWSLogs/111122223333/\\*"`,
    ),
  );

  w.cloudtrail.on(GetTrailStatusCommand).resolves({ IsLogging: true, LatestDeliveryError: 'InsufficientEncryptionPolicyException: KMS key policy', LatestDeliveryTime: new Date(NOW.getTime() - 60_000) });
  const k = await w.check('trail-logging');
  assert.equal(k.status, 'fail');
  assert.match(k.fix!, /^add to the trail's KMS key policy: .*"Action":"kms:GenerateDataKey\*"/);
});

test('trail-logging: a delivery over an hour old warns, over a day old fails', async () => {
  const w = await healthyWorld(fx);
  w.cloudtrail.on(GetTrailStatusCommand).resolves({ IsLogging: true, LatestDeliveryTime: new Date(NOW.getTime() - 3 * 3_600_000) });
  const warn = await w.check('trail-logging');
  assert.equal(warn.status, 'warn');
  assert.match(warn.found, /last delivered 3 h ago/);
  w.cloudtrail.on(GetTrailStatusCommand).resolves({ IsLogging: true, LatestDeliveryTime: new Date(NOW.getTime() - 3 * 86_400_000) });
  const fail = await w.check('trail-logging');
  assert.equal(fail.status, 'fail');
  assert.match(fail.found, /last delivered 3 days ago/);
  assert.match(fail.fix!, /aws cloudtrail get-trail-status --name/);
});

test('management-events: write-only basic selectors fail with put-event-selectors ReadWriteType All', async () => {
  const w = await healthyWorld(fx);
  w.cloudtrail.on(GetEventSelectorsCommand).resolves({ EventSelectors: [{ ReadWriteType: 'WriteOnly', IncludeManagementEvents: true }] });
  const r = await w.check('management-events');
  assert.equal(r.status, 'fail');
  assert.equal(r.found, `trail ${TRAIL} records write-only management events`);
  assert.match(r.fix!, new RegExp(`^aws cloudtrail put-event-selectors --trail-name ${TRAIL} --event-selectors '\\[\\{"ReadWriteType":"All","IncludeManagementEvents":true\\}\\]'`));
});

test('management-events: advanced selectors limited to readOnly=true fail; read and write split over two selectors pass; excluded sources warn', async () => {
  const w = await healthyWorld(fx);
  const mgmt = { Field: 'eventCategory', Equals: ['Management'] };
  w.cloudtrail.on(GetEventSelectorsCommand).resolves({ AdvancedEventSelectors: [{ Name: 'reads', FieldSelectors: [mgmt, { Field: 'readOnly', Equals: ['true'] }] }] });
  const r = await w.check('management-events');
  assert.equal(r.status, 'fail');
  assert.equal(r.found, `trail ${TRAIL} records read-only management events`);
  assert.match(r.fix!, /--advanced-event-selectors '\[\{"Name":"Management events","FieldSelectors":\[\{"Field":"eventCategory","Equals":\["Management"\]\}\]\}\]'/);

  w.cloudtrail.on(GetEventSelectorsCommand).resolves({
    AdvancedEventSelectors: [
      { Name: 'reads', FieldSelectors: [mgmt, { Field: 'readOnly', Equals: ['true'] }] },
      { Name: 'writes', FieldSelectors: [mgmt, { Field: 'readOnly', Equals: ['false'] }] },
    ],
  });
  assert.equal((await w.check('management-events')).status, 'pass');

  w.cloudtrail.on(GetEventSelectorsCommand).resolves({ AdvancedEventSelectors: [{ Name: 'm', FieldSelectors: [mgmt, { Field: 'eventSource', NotEquals: ['kms.amazonaws.com'] }] }] });
  const x = await w.check('management-events');
  assert.equal(x.status, 'warn');
  assert.match(x.found, /except those of kms\.amazonaws\.com/);
});
