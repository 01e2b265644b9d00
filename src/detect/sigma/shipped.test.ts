import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { shippedSigmaDir, shippedSigmaRules } from './shipped.js';
import { examplesFor } from './examples.test-helpers.js';
import { normalizeRecord } from '../../parse/index.js';
import { defaultEventRules, loadSigmaEventRules, shippedSigmaEventRules, SIGMA_RULES_OFF_BY_DEFAULT } from '../sigma-rules.js';
import { builtinEventRules } from '../rules/index.js';
import { detect } from '../rules/rule.test-helpers.js';
import { sigmaSeverity } from '../sigma-adapter.js';
import { sharedData } from '../../../test/support/paths.js';

const CLOUDTRAIL = join(shippedSigmaDir(), 'cloud', 'aws', 'cloudtrail');
const files = readdirSync(CLOUDTRAIL).filter((f) => f.endsWith('.yml')).sort();

describe('the shipped SigmaHQ rules', () => {
  it('are the 57 CloudTrail rules of the shared SigmaHQ copy, verbatim, and every one loads', () => {
    const upstream = sharedData('sigma', 'rules', 'cloud', 'aws', 'cloudtrail');
    assert.deepEqual(files, readdirSync(upstream).sort());
    for (const f of files) assert.equal(readFileSync(join(CLOUDTRAIL, f), 'utf8'), readFileSync(join(upstream, f), 'utf8'), f);
    const { rules, problems } = shippedSigmaRules();
    assert.deepEqual(problems, []);
    assert.equal(rules.length, 57);
    assert.ok(rules.every((r) => r.author && r.title && r.id), 'attribution kept');
    assert.ok(readFileSync(join(shippedSigmaDir(), '..', 'NOTICE'), 'utf8').includes('Detection Rule License'));
  });

  it('all but AssumeRole Misuse run by default beside the built-in rules; a --sigma-dir rule with a shipped id replaces it (and turns it on)', async () => {
    const defaults = defaultEventRules();
    const ids = new Set(defaults.map((r) => r.id));
    for (const r of shippedSigmaRules().rules) assert.equal(ids.has(`sigma:${r.id}`), !SIGMA_RULES_OFF_BY_DEFAULT.has(`sigma:${r.id}`), r.id);
    assert.equal(defaults.filter((r) => r.id.startsWith('sigma:')).length, 56);
    assert.ok(ids.has('root-account-usage'));
    const explicit = await loadSigmaEventRules([shippedSigmaDir()]);
    const withDir = defaultEventRules(explicit.rules);
    assert.equal(withDir.length, defaults.length + SIGMA_RULES_OFF_BY_DEFAULT.size);
    assert.ok(withDir.some((r) => r.id === 'sigma:905d389b-b853-46d0-9d3d-dea0d3a3cd49'));
    assert.ok(withDir.filter((r) => r.id.startsWith('sigma:')).every((r) => explicit.rules.includes(r)));
  });

  it('that may match any role-session call read only light fields (no record decode) and report once per actor session and day', () => {
    const defaults = shippedSigmaEventRules();
    const wantsUnrelatedApi = (r: (typeof defaults)[number]) => !r.prefilter?.api || r.prefilter.api('trailscope.example.com', 'NoSuchCall', 'AssumedRole');
    const broad = defaults.filter(wantsUnrelatedApi);
    // AssumeRole Misuse (every role-session call), TruffleHog (user agent), IMDS credentials (session ARN).
    assert.deepEqual(broad.map((r) => r.id).sort(), [
      'sigma:352a918a-34d8-4882-8470-44830c507aa3',
      'sigma:905d389b-b853-46d0-9d3d-dea0d3a3cd49',
      'sigma:a840e606-7c8c-4684-9bc1-eb6b6155127f',
    ]);
    for (const r of broad) {
      assert.equal(r.input, 'light', r.id);
      assert.ok(r.dedup, r.id);
    }
    // The rules naming their APIs keep one detection per matching event.
    assert.ok(defaults.filter((r) => !wantsUnrelatedApi(r)).every((r) => !r.dedup));
  });

  const allRules = [...builtinEventRules, ...shippedSigmaEventRules()];

  const byFile = new Map(shippedSigmaRules().rules.map((r) => [r.file, r]));
  for (const f of files) {
    it(`${f}: fires on an event built from its detection, not on one with the call changed`, () => {
      const rule = byFile.get(join('cloud', 'aws', 'cloudtrail', f))!;
      const { positive, negative } = examplesFor(readFileSync(join(CLOUDTRAIL, f), 'utf8'));
      assert.equal(rule.matches(positive), true, JSON.stringify(positive));
      assert.equal(rule.matches(negative), false, JSON.stringify(negative));
      // Through the engine as in production: prefilter, rule id and severity from the level.
      const found = detect(allRules, [normalizeRecord(positive)]).filter((d) => d.rule === `sigma:${rule.id}`);
      assert.deepEqual(found.map((d) => d.severity), [sigmaSeverity(rule.level)]);
      assert.equal(detect(allRules, [normalizeRecord(negative)]).filter((d) => d.rule === `sigma:${rule.id}`).length, 0);
    });
  }
});
