// Every public data set that holds events, parsed through the public surface. Counts are
// literals checked by hand against the sources (see ../shared/data/README.md), not recomputed.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { sharedData } from '../../test/support/paths.js';
import { walkFiles, readLocalFile } from '../sources/files/index.js';
import { parseFile, ParseError } from './index.js';
import type { ParsedFile } from './index.js';

interface Tally {
  files: ParsedFile[];
  byName: Map<string, ParsedFile>;
  errors: ParseError[];
  events: number;
  rejected: number;
}

async function parseTree(dir: string, filter: (path: string) => boolean = () => true): Promise<Tally> {
  const t: Tally = { files: [], byName: new Map(), errors: [], events: 0, rejected: 0 };
  for await (const entry of walkFiles([dir])) {
    if ('error' in entry) assert.fail(`walk error ${entry.path}: ${entry.error}`);
    if (!filter(entry.path)) continue;
    const { bytes } = await readLocalFile(entry.path);
    try {
      const parsed = parseFile(bytes, entry.path);
      t.files.push(parsed);
      t.byName.set(basename(entry.path), parsed);
      t.events += parsed.events.length;
      t.rejected += parsed.rejected.length;
    } catch (err) {
      if (!(err instanceof ParseError)) throw err;
      t.errors.push(err);
    }
  }
  return t;
}

const kinds = (t: Tally) => t.files.map((f) => f.kind).sort().join(',');

describe('parsing the shared data sets', () => {
  test('flaws2: 8 gzip delivery files, 37 events', async () => {
    const t = await parseTree(sharedData('flaws2-cloudtrail'));
    assert.equal(t.files.length, 8);
    assert.equal(t.events, 37);
    assert.equal(t.rejected, 0);
    assert.ok(t.files.every((f) => f.gzipped && f.format === 'cloudtrail' && f.kind === 'events'));
    // Records carry recipientAccountId; every one matches the account folder.
    assert.ok(t.files.every((f) => f.events.every((e) => e.recipientAccountId === '653711331788')));
  });

  test('stratus-red-team: 35 JSON arrays, 310 events, anonymised values kept verbatim', async () => {
    const t = await parseTree(sharedData('stratus-red-team', 'detonation-logs'));
    assert.equal(t.files.length, 35);
    assert.equal(t.events, 310);
    assert.equal(t.rejected, 0);
    assert.ok(t.files.every((f) => f.format === 'json-array'));
    const fed = t.byName.get('aws.persistence.sts-federation-token.json')?.events[0];
    assert.equal(fed?.awsRegion, 'ap-isob-east-1r');
    assert.equal(fed?.sourceIPAddress, '255.090.254.5');
  });

  test('cloudtrail2sightings: 3 files with forwarder keys (12 events), 1 malformed file', async () => {
    const t = await parseTree(sharedData('cloudtrail2sightings-stratus-2022'), (p) => p.endsWith('.json'));
    assert.equal(t.files.length, 3);
    assert.equal(t.events, 12);
    assert.equal(t.errors.length, 1);
    const err = t.errors[0] as ParseError;
    assert.equal(err.code, 'malformed-json');
    assert.match(err.file, /aws\.execution\.ec2-user-data\.json$/);
    assert.match(err.reason, /line 112, column 1/);
    assert.ok(err.fix.length > 0);
    assert.match(err.message, /ec2-user-data\.json/);
    // The forwarder's extra keys stay in raw; the CloudTrail fields are read as usual.
    const e = t.byName.get('aws.defense-evasion.cloudtrail-delete.json')?.events[0];
    assert.equal(e?.eventName, 'DeleteTrail');
    assert.ok(e && 'aws' in e.raw && 'http' in e.raw);
  });

  test('traildiscover: 315 events in *.json.cloudtrail; the plain *.json descriptions are not CloudTrail', async () => {
    const t = await parseTree(sharedData('traildiscover', 'events'), (p) => p.endsWith('.json.cloudtrail'));
    assert.equal(t.files.length, 336);
    assert.equal(t.events, 315);
    assert.equal(t.rejected, 0);
    assert.equal(t.files.filter((f) => f.format === 'json-object').length, 19); // single pretty-printed events
    assert.equal(t.files.filter((f) => f.events.length === 0).length, 21); // upstream files holding []
    // The README's "248 AccessDenied" counts every failed call; 165 carry exactly AccessDenied.
    const all = t.files.flatMap((f) => f.events);
    assert.equal(all.filter((e) => e.errorCode !== null).length, 248);
    assert.equal(all.filter((e) => e.errorCode === 'AccessDenied').length, 165);

    const d = await parseTree(sharedData('traildiscover', 'events'), (p) => p.endsWith('.json'));
    assert.equal(d.files.length, 380);
    assert.ok(d.files.every((f) => f.kind === 'other' && f.events.length === 0 && typeof f.note === 'string'));
  });

  test('elastic fixtures: 8 files, digest skipped by content, 1 Insight, 11 events', async () => {
    const t = await parseTree(sharedData('elastic-cloudtrail-fixtures'));
    assert.equal(t.files.length, 8);
    assert.equal(kinds(t), 'digest,events,events,events,events,events,events,insight');
    assert.equal(t.events, 11);
    assert.equal(t.byName.get('test-cloudtrail-digest-json.log')?.format, 'digest');
    const insight = t.byName.get('insight-json.log')?.events[0];
    assert.equal(insight?.eventCategory, 'Insight');
    assert.equal(insight?.eventType, 'AwsCloudTrailInsight');
    assert.equal(insight?.eventSource, 'iam.amazonaws.com'); // from insightDetails
    assert.equal(insight?.eventName, 'AttachUserPolicy');
    assert.deepEqual(insight?.actions, []); // a statistic, not a call
    assert.equal(t.byName.get('test-console-login-json.log')?.format, 'ndjson');
  });

  test('plaso: lookup-events export, one per line, CloudTrailEvent as a string: 6 events', async () => {
    const t = await parseTree(sharedData('plaso-lookup-events'), (p) => p.endsWith('.jsonl'));
    assert.equal(t.events, 6);
    const f = t.files[0] as ParsedFile;
    assert.equal(f.format, 'ndjson');
    assert.equal(f.envelope, 'lookup-event');
    const e = f.events.find((x) => x.eventID === '0828c0d2-3589-4390-b954-c78b4a7df44b');
    assert.equal(e?.eventTime, '2022-02-07T22:23:37Z'); // the record's UTC time, not the export's +11:00
    assert.equal(e?.principalArn, 'arn:aws:iam::012345678901:user/fakeusername');
    assert.equal(typeof e?.raw.userIdentity, 'object'); // raw is the inner record
  });

  test('plaso: the same events as an {"Events":[...]} lookup-events document', () => {
    const lines = readFileSync(sharedData('plaso-lookup-events', 'aws_cloudtrail.jsonl'), 'utf8').split('\n').filter(Boolean);
    const doc = JSON.stringify({ Events: lines.map((l) => JSON.parse(l)), NextToken: 'x' }, null, 2);
    const parsed = parseFile(Buffer.from(doc), 'lookup.json');
    assert.equal(parsed.format, 'lookup-events');
    assert.equal(parsed.events.length, 6);
  });

  test('otrf: shipper-wrapped lines without eventTime: 103 events timed from @timestamp', async () => {
    const t = await parseTree(sharedData('otrf-security-datasets'), (p) => p.endsWith('.json'));
    assert.equal(t.events, 103);
    const f = t.files[0] as ParsedFile;
    assert.equal(f.envelope, 'log-shipper');
    const e = f.events.find((x) => x.eventID === 'fd4f1042-c7f6-4107-a6ee-d841d92596e7');
    assert.equal(e?.eventTime, '2020-09-14T00:44:23Z');
    assert.equal(e?.principalArn, 'arn:aws:iam::123456789123:user/pedro');
    assert.equal(e?.raw['@timestamp'], '2020-09-14T00:44:23.000Z'); // raw untouched
  });

  test('otrf: the CSV, YAML and licence files are reported as not CloudTrail, not as errors', async () => {
    const t = await parseTree(sharedData('otrf-security-datasets'), (p) => !p.endsWith('.json'));
    assert.equal(t.files.length, 4);
    assert.equal(t.errors.length, 0);
    assert.ok(t.files.every((f) => f.kind === 'other'));
  });

  test('panther: 471 test events through their {ruleId, event} envelope: 444 kept, 27 rejected with reasons', async () => {
    const t = await parseTree(sharedData('panther-analysis'), (p) => p.endsWith('cloudtrail_test_events.jsonl'));
    const f = t.files[0] as ParsedFile;
    assert.equal(f.envelope, 'event-field');
    assert.equal(f.events.length, 444);
    assert.equal(f.rejected.length, 27);
    assert.equal(f.events.length + f.rejected.length, 471);
    assert.ok(f.rejected.every((r) => r.reason.length > 20 && typeof r.line === 'number'));
    const lowercased = f.rejected.filter((r) => /lower-cased/.test(r.reason));
    assert.equal(lowercased.length, 8);
    // Zone-less times written by Panther's lake are CloudTrail UTC with the Z dropped.
    const line459 = f.events.find((e) => e.eventTime === '2024-06-02T20:27:12Z' && e.identityType === 'AWSService');
    assert.ok(line459);
  });
});
