/**
 * The demo's notifications are read by trailscope's own parser as the shapes they claim to be,
 * with the keys intact, and every route carries part of the window.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseNotification } from '../sources/sqs/notification.js';
import { cloudTrailNotification, DEMO_ROUTES, eventBridgeObjectCreated, planDeliveries, s3EventNotification, s3TestEvent } from './notifications.js';
import { deliveryTime } from './organization.js';

const ctx = { region: 'us-east-1', accountId: '111122223333' };
const key = 'AWSLogs/o-a1b2c3d4e5/111122223333/CloudTrail/us-east-1/2026/12/05/111122223333_CloudTrail_us-east-1_20261205T1200Z_AbCdEf0123456789.json.gz';
const object = { bucket: 'trail', key, size: 1234, etag: '"9b2cf535f27731c974343645a3985328"', time: '2026-12-05T12:05:00.000Z' };

function filesOf(body: string) {
  const n = parseNotification(body);
  assert.equal(n.kind, 'files');
  return n.kind === 'files' ? n : (undefined as never);
}

describe('demo notifications', () => {
  it('each body is the shape it stands for, naming the file as stored', () => {
    const s3 = filesOf(s3EventNotification(object, ctx));
    assert.equal(s3.shape, 's3');
    assert.deepEqual(s3.files.map((f) => [f.bucket, f.key, f.size, f.etag]), [['trail', key, 1234, '9b2cf535f27731c974343645a3985328']]);
    const eb = filesOf(eventBridgeObjectCreated(object, ctx));
    assert.equal(eb.shape, 'eventbridge');
    assert.equal(eb.files[0]!.key, key);
    const second = key.replace('AbCdEf0123456789', 'ZyXwVu9876543210');
    const ct = filesOf(cloudTrailNotification('trail', [key, second]));
    assert.equal(ct.shape, 'cloudtrail-sns');
    assert.deepEqual(ct.files.map((f) => f.key), [key, second]);
    assert.equal(parseNotification(s3TestEvent('trail', object.time)).kind, 'test');
  });

  it('S3 notification keys are URL-encoded as S3 does, and decode back to the key', () => {
    const odd = 'team a+b/AWSLogs/111122223333/CloudTrail/us-east-1/2026/12/05/111122223333_CloudTrail_us-east-1_20261205T1200Z_x.json.gz';
    const body = s3EventNotification({ ...object, key: odd }, ctx);
    assert.match(body, /team\+a%2Bb\//);
    assert.equal(filesOf(body).files[0]!.key, odd);
  });

  it('batches take the routes in turn, digests go the plain S3 route, and no file is left out or sent twice', () => {
    const kinds = Array.from({ length: 50 }, (_, i) => (i % 10 === 3 ? 'digest' : 'events') as 'events' | 'digest');
    const plan = planDeliveries(kinds, 4);
    assert.deepEqual(plan.flatMap((b) => b.files).sort((a, b) => a - b), kinds.map((_, i) => i));
    assert.deepEqual(new Set(plan.map((b) => b.route)), new Set(DEMO_ROUTES));
    for (const b of plan) if (b.files.some((i) => kinds[i] === 'digest')) assert.deepEqual([b.route, b.files.length], ['s3', 1]);
    for (const b of plan) assert.ok(b.files.length <= 4);
  });

  it('reads the delivery time of log and digest file names', () => {
    assert.equal(deliveryTime(key), '2026-12-05T12:00:00Z');
    assert.equal(deliveryTime('AWSLogs/o-a1b2c3d4e5/111122223333/CloudTrail-Digest/us-east-1/2026/12/05/111122223333_CloudTrail-Digest_us-east-1_org-trail_us-east-1_20261205T120512Z.json.gz'), '2026-12-05T12:05:12Z');
    assert.equal(deliveryTime('expected.json'), '');
  });
});
