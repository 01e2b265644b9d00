/**
 * The light event (columns plus LIGHT_RAW_FIELDS) against the full one, over real recordings: the
 * Sigma rules that run on light input must judge every event exactly as on its whole record.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { LIGHT_RAW_FIELDS, lightFieldsOf } from '../model/light.js';
import type { NormalizedEvent } from '../model/event.js';
import { encodeChunk } from '../store/encode/index.js';
import { ChunkBatch } from '../store/sqlite/committed-batch.js';
import { valuesAt } from './sigma/values.js';
import { shippedSigmaRules } from './sigma/shipped.js';
import { readsOnlyLightFields } from './sigma-adapter.js';
import { event, IAM_USER, pantherEvent, type PantherCase, SHARED } from './rules/rule.test-helpers.js';

function pantherEvents(): NormalizedEvent[] {
  return readFileSync(`${SHARED}/panther-analysis/cloudtrail_test_events.jsonl`, 'utf8')
    .split('\n')
    .filter(Boolean)
    .flatMap((l) => {
      try {
        return [pantherEvent(JSON.parse(l) as PantherCase)];
      } catch {
        return [];
      }
    });
}

function batchOf(events: readonly NormalizedEvent[]): ChunkBatch {
  const chunk = encodeChunk([{ file: null, events }]);
  return new ChunkBatch(chunk, events.map((_, i) => i), chunk.extras);
}

/** Sigma treats an absent field and a null one alike. */
const present = (values: unknown[]) => values.filter((v) => v !== null && v !== undefined);

describe('light events', () => {
  const events = pantherEvents();
  const lightRules = shippedSigmaRules().rules.filter(readsOnlyLightFields);

  it('carry the light fields exactly as the record has them, so light Sigma rules judge as on the full record', () => {
    assert.ok(events.length > 200, `${events.length} events`);
    assert.ok(lightRules.length >= 3, `${lightRules.length} light rules`);
    const batch = batchOf(events);
    let matched = 0;
    for (let i = 0; i < batch.size; i++) {
      const light = batch.light(i);
      const full = batch.full(i);
      for (const f of LIGHT_RAW_FIELDS) assert.deepEqual(present(valuesAt(light.raw, f)), present(valuesAt(full.raw, f)), `${f} of ${full.eventID}`);
      assert.equal(light.userAgent, full.userAgent);
      assert.equal(light.sourceIPAddress, full.sourceIPAddress);
      for (const rule of lightRules) {
        const verdict = rule.matches(full.raw);
        if (verdict) matched++;
        assert.equal(rule.matches(light.raw), verdict, `${rule.title} on ${full.eventID}`);
      }
    }
    assert.ok(matched > 10, `${matched} matches`);
  });

  it('are the full event when the record has an unusual shape at a light field', () => {
    const api = { eventSource: 'ec2.amazonaws.com', eventName: 'DescribeInstances' };
    const odd = [
      event({ ...api, userAgent: 42 }),
      event({ ...api, userIdentity: { ...IAM_USER, arn: ['arn:aws:iam::111122223333:user/a', 'arn:aws:iam::111122223333:user/b'] } }),
      event({ ...api, 'userIdentity.arn': 'arn:aws:sts::111122223333:assumed-role/aws:ec2-instance/i-1' }),
      event({ ...api, sourceIPAddress: '' }),
    ];
    for (const e of odd) assert.equal(lightFieldsOf(e), null, JSON.stringify(e.raw));
    const plain = event(api);
    assert.deepEqual(lightFieldsOf(plain), { userAgent: 'aws-cli/2.15.0', userArn: IAM_USER.arn, sessionIssuerType: null });
    const batch = batchOf([...odd, plain]);
    for (let i = 0; i < odd.length; i++) assert.deepEqual(batch.light(i).raw, batch.full(i).raw);
    assert.notDeepEqual(batch.light(odd.length).raw, batch.full(odd.length).raw);
  });
});
