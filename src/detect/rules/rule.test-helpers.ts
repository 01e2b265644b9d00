/** Building real events for rule tests: raw CloudTrail records through the real normaliser. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NormalizedEvent } from '../../model/event.js';
import { normalizeRecord } from '../../parse/index.js';
import { DetectionEngine, EventsBatch } from '../engine.js';
import { sharedData } from '../../../test/support/paths.js';
import { InMemoryDetectionMemory } from '../memory.js';
import type { EventRule } from '../types.js';
import type { DetectionRecord } from '../../store/types.js';

export const SHARED = sharedData('.');

let seq = 0;

export const IAM_USER = { type: 'IAMUser', principalId: 'AIDAEXAMPLE', arn: 'arn:aws:iam::111122223333:user/alice', accountId: '111122223333', accessKeyId: 'AKIAEXAMPLE', userName: 'alice' };
export const ROOT = { type: 'Root', principalId: '111122223333', arn: 'arn:aws:iam::111122223333:root', accountId: '111122223333' };
export const ROLE = {
  type: 'AssumedRole',
  principalId: 'AROAEXAMPLE:deployer',
  arn: 'arn:aws:sts::111122223333:assumed-role/deploy/deployer',
  accountId: '111122223333',
  sessionContext: { sessionIssuer: { type: 'Role', principalId: 'AROAEXAMPLE', arn: 'arn:aws:iam::111122223333:role/deploy', accountId: '111122223333', userName: 'deploy' } },
};

/** A CloudTrail record with sensible defaults; fields given override them. */
export function record(fields: Record<string, unknown>): Record<string, unknown> {
  seq++;
  return {
    eventVersion: '1.09',
    userIdentity: IAM_USER,
    eventTime: '2026-05-01T10:00:00Z',
    awsRegion: 'us-east-1',
    sourceIPAddress: '198.51.100.7',
    userAgent: 'aws-cli/2.15.0',
    requestParameters: null,
    responseElements: null,
    requestID: `req-${seq}`,
    eventID: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: '111122223333',
    eventCategory: 'Management',
    ...fields,
  };
}

export function event(fields: Record<string, unknown>): NormalizedEvent {
  return normalizeRecord(record(fields));
}

/** Runs rules through the engine (prefilter included, as in production) over events in order. */
export function detect(rules: EventRule | readonly EventRule[], events: readonly NormalizedEvent[]): DetectionRecord[] {
  const engine = new DetectionEngine(Array.isArray(rules) ? rules : [rules as EventRule]);
  const out = engine.run(new EventsBatch(events), new InMemoryDetectionMemory()).detections;
  if (engine.errors.length) throw new Error(`rule failed: ${JSON.stringify(engine.errors)}`);
  return out;
}

export interface PantherCase {
  ruleId: string;
  testName: string;
  expectedResult: boolean;
  event: Record<string, unknown>;
}

/** Panther's own unit-test events for one of its rules (../shared/data/panther-analysis). */
export function pantherCases(ruleId: string): PantherCase[] {
  const text = readFileSync(join(SHARED, 'panther-analysis', 'cloudtrail_test_events.jsonl'), 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as PantherCase)
    .filter((c) => c.ruleId === ruleId);
}

export function pantherEvent(c: PantherCase): NormalizedEvent {
  const raw = { ...c.event };
  delete raw.p_log_type;
  if (typeof raw.eventID !== 'string' || raw.eventID.length < 4) raw.eventID = `panther-${c.ruleId}-${c.testName}`;
  // Some of Panther's unit-test events are partial (no eventTime): the rules never read it.
  raw.eventTime ??= '2026-05-01T10:00:00Z';
  return normalizeRecord(raw);
}
