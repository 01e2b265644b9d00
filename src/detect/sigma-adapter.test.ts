import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { attackTechniques, sigmaEventRule, sigmaSeverity, type CompiledSigmaRuleShape } from './sigma-adapter.js';
import { DetectionEngine, EventsBatch } from './engine.js';
import { InMemoryDetectionMemory } from './memory.js';
import { event } from './rules/rule.test-helpers.js';

/** Hand-written in the loader's shape: matches StopLogging on the raw record. */
function compiled(overrides: Partial<CompiledSigmaRuleShape> = {}): CompiledSigmaRuleShape & { calls: number } {
  const rule = {
    calls: 0,
    id: '4db60cc0-36fb-42b7-9b58-a5b53019fb74',
    title: 'AWS CloudTrail Important Change',
    level: 'medium',
    description: 'Detects disabling, deleting and updating of a Trail',
    author: 'vitaliy0x1',
    references: ['https://docs.aws.amazon.com/awscloudtrail/latest/userguide/best-practices-security.html'],
    tags: ['attack.defense-evasion', 'attack.t1562.001'],
    status: 'test',
    file: 'aws_cloudtrail_disable_logging.yml',
    matches(record: Record<string, unknown>) {
      rule.calls++;
      return record.eventSource === 'cloudtrail.amazonaws.com' && record.eventName === 'StopLogging';
    },
    prefilter: { eventSource: ['cloudtrail.amazonaws.com'] },
    ...overrides,
  };
  return rule;
}

describe('Sigma rules as event rules', () => {
  it('maps levels to severities and tags to ATT&CK techniques', () => {
    assert.deepEqual(['critical', 'high', 'medium', 'low', 'informational'].map(sigmaSeverity), ['critical', 'high', 'medium', 'low', 'info']);
    assert.deepEqual(attackTechniques(['attack.defense-evasion', 'attack.t1562.001', 'attack.T1078', 'cve.2021-1']), ['T1562.001', 'T1078']);
  });

  it('fires as sigma:<id> with the level as severity, on the raw record, only for prefiltered events', () => {
    const sigma = compiled();
    const rule = sigmaEventRule(sigma);
    assert.equal(rule.id, 'sigma:4db60cc0-36fb-42b7-9b58-a5b53019fb74');
    const stop = event({ eventSource: 'cloudtrail.amazonaws.com', eventName: 'StopLogging' });
    const other = event({ eventSource: 's3.amazonaws.com', eventName: 'ListBuckets' });
    const start = event({ eventSource: 'cloudtrail.amazonaws.com', eventName: 'StartLogging' });
    const out = new DetectionEngine([rule]).run(new EventsBatch([stop, other, start]), new InMemoryDetectionMemory());
    assert.equal(sigma.calls, 2, 'the s3 event never reaches the matcher');
    assert.deepEqual(out.detections.map((d) => [d.rule, d.severity, d.eventId]), [[rule.id, 'medium', stop.eventID]]);
    assert.deepEqual((out.detections[0]!.details.sigma as { author: string }).author, 'vitaliy0x1');
    assert.deepEqual(out.detections[0]!.details.attack, ['T1562.001']);
  });

  it('runs a rule without a prefilter on every event', () => {
    const sigma = compiled({ prefilter: undefined });
    new DetectionEngine([sigmaEventRule(sigma)]).run(new EventsBatch([event({ eventSource: 's3.amazonaws.com', eventName: 'ListBuckets' })]), new InMemoryDetectionMemory());
    assert.equal(sigma.calls, 1);
  });
});
