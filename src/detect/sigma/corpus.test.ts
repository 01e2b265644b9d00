/**
 * Every event rule (built-in and the shipped Sigma rules) over real recordings: how many Stratus
 * Red Team techniques at least one rule detects, and how many of Panther's "must not fire" test
 * events fire a rule anyway. The figures are printed (README, Event detections, quotes them);
 * the test asserts only floors and ceilings, and that the derived prefilters never drop a match.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { NormalizedEvent } from '../../model/event.js';
import { normalizeRecord } from '../../parse/index.js';
import { DetectionEngine, EventsBatch } from '../engine.js';
import { InMemoryDetectionMemory } from '../memory.js';
import { defaultEventRules, shippedSigmaEventRules } from '../sigma-rules.js';
import { ScreenMemo } from '../screen.js';
import type { EventRule } from '../types.js';
import { shippedSigmaRules } from './shipped.js';
import { pantherEvent, type PantherCase, SHARED } from '../rules/rule.test-helpers.js';
import { sharedData } from '../../../test/support/paths.js';

/** The rules that run by default (built-in and Sigma, AssumeRole Misuse off: SIGMA_RULES_OFF_BY_DEFAULT). */
const rules = defaultEventRules();
/** Rules that may match any call (they report once per actor session and day). */
const broad = new Set(rules.filter((r) => r.dedup).map((r) => r.id));
const byNamedApiRule = (ids: readonly string[]) => ids.some((r) => !broad.has(r));

function run(events: NormalizedEvent[], ruleSet: readonly EventRule[] = rules) {
  const engine = new DetectionEngine(ruleSet);
  const out = engine.run(new EventsBatch(events), new InMemoryDetectionMemory());
  assert.deepEqual(engine.errors, []);
  return out.detections;
}

function stratusTechniques(): { id: string; events: NormalizedEvent[] }[] {
  const index = JSON.parse(readFileSync(sharedData('stratus-red-team', 'aws_techniques.json'), 'utf8')) as {
    techniques: Record<string, { detonationLogFile?: string }>;
  };
  return Object.entries(index.techniques).flatMap(([id, t]) => {
    if (!t.detonationLogFile) return [];
    let records: Record<string, unknown>[] = [];
    try {
      records = JSON.parse(readFileSync(sharedData('stratus-red-team', t.detonationLogFile), 'utf8')) as Record<string, unknown>[];
    } catch {
      // a technique without a readable recording counts as not detected
    }
    return [{ id, events: records.map((r) => normalizeRecord(r)).sort((a, b) => (a.eventTime < b.eventTime ? -1 : 1)) }];
  });
}

function pantherCases(): PantherCase[] {
  return readFileSync(`${SHARED}/panther-analysis/cloudtrail_test_events.jsonl`, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as PantherCase);
}

describe('all event rules (built-in and Sigma) over real recordings', () => {
  it('detect Stratus Red Team techniques', () => {
    const techniques = stratusTechniques();
    const detected = new Map<string, string[]>();
    for (const t of techniques) {
      const hits = [...new Set(run(t.events).map((d) => d.rule))];
      if (hits.length) detected.set(t.id, hits);
    }
    const bySigmaOnly = [...detected.values()].filter((ids) => ids.every((r) => r.startsWith('sigma:'))).length;
    const byNamed = [...detected.values()].filter(byNamedApiRule).length;
    process.stdout.write(`# stratus: ${detected.size} of ${techniques.length} techniques detected by at least one rule (${bySigmaOnly} only by Sigma rules); ${byNamed} by rules other than the two that may match any call\n`);
    for (const [id, hits] of detected) process.stdout.write(`#   ${id}: ${hits.join(', ')}\n`);
    // The built-in rules alone detect 8 (src/detect/corpus.test.ts); the default Sigma rules add 6.
    // (AssumeRole Misuse, off by default, would add 6 more only because they run from role sessions.)
    assert.ok(detected.size >= 14, `${detected.size} techniques`);
    assert.ok(byNamed >= 12, `${byNamed} techniques by rules naming their APIs`);
    assert.ok(detected.get('aws.defense-evasion.vpc-remove-flow-logs')?.includes('sigma:e386b9b5-af12-450e-afff-761730fb8a98'));
  });

  it("count Panther's must-not-fire events that fire a rule anyway", () => {
    const negatives = pantherCases().filter((c) => !c.expectedResult);
    const firing = new Map<string, number>();
    let fired = 0;
    let firedByNamed = 0;
    let rejected = 0;
    for (const c of negatives) {
      let e: NormalizedEvent;
      try {
        e = pantherEvent(c);
      } catch {
        rejected++;
        continue;
      }
      const found = [...new Set(run([e]).map((d) => d.rule))];
      if (found.length) fired++;
      if (byNamedApiRule(found)) firedByNamed++;
      for (const r of found) firing.set(r, (firing.get(r) ?? 0) + 1);
    }
    const titles = new Map(rules.map((r) => [r.id, r.title]));
    process.stdout.write(`# panther: ${fired} of ${negatives.length - rejected} must-not-fire events fire at least one rule (${rejected} more are records ingestion refuses); ${firedByNamed} by rules other than the two that may match any call\n`);
    for (const [r, n] of [...firing].sort((a, b) => b[1] - a[1])) process.stdout.write(`#   ${n} ${r} (${titles.get(r)})\n`);
    assert.ok(rejected < negatives.length / 10);
    // Panther's negatives are near-misses of its own rules. SigmaHQ's "AssumeRole Misuse" fires on
    // every role-session call (it reports once per session and day); the ceilings catch any other
    // rule growing as broad.
    assert.ok(fired <= negatives.length * 0.6, `${fired} of ${negatives.length}`);
    assert.ok(firedByNamed <= 50, `${firedByNamed} by rules naming their APIs`);
  });

  it('never drop a matching event in the prefilter', () => {
    const records = [
      ...pantherCases().map((c) => c.event),
      ...stratusTechniques().flatMap((t) => t.events.map((e) => e.raw)),
    ];
    let matched = 0;
    for (const rule of shippedSigmaRules().rules) {
      for (const raw of records) {
        if (!rule.matches(raw)) continue;
        matched++;
        const e = (() => {
          try {
            return normalizeRecord(raw);
          } catch {
            return null;
          }
        })();
        if (!e || !rule.prefilter?.api) continue;
        assert.ok(rule.prefilter.api(e.eventSource, e.eventName, e.identityType), `${rule.id} on ${e.eventSource} ${e.eventName}`);
      }
    }
    assert.ok(matched > 50, `${matched} matches`);
  });

  it('never drop a matching event in the light screens, and detect the same with or without them', () => {
    const events = [
      ...pantherCases().flatMap((c) => {
        try {
          return [pantherEvent(c)];
        } catch {
          return [];
        }
      }),
      ...stratusTechniques().flatMap((t) => t.events),
    ];
    const screened = shippedSigmaRules().rules.filter((r) => r.screen);
    assert.ok(screened.length >= 3, `${screened.length} rules with a light screen`);
    const batch = new EventsBatch(events);
    let matched = 0;
    for (const rule of screened) {
      const memo = new ScreenMemo(rule.screen!);
      events.forEach((e, i) => {
        if (!rule.matches(e.raw)) return;
        matched++;
        assert.notEqual(memo.admits(batch, i), false, `${rule.id} on ${e.eventID}`);
      });
    }
    assert.ok(matched > 0);
    // Every shipped rule, AssumeRole Misuse included, over every event, with and without screens.
    const all = [...rules, ...shippedSigmaEventRules().filter((r) => !rules.some((d) => d.id === r.id))];
    const without = all.map((r) => {
      const { screen: _screen, ...plain } = r;
      return plain;
    });
    assert.ok(all.some((r) => r.screen));
    assert.deepEqual(run(events, all), run(events, without));
  });
});
