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

  it('run by default beside the built-in rules, except the few off by default, which --sigma-dir turns on', async () => {
    const ids = new Set(defaultEventRules().map((r) => r.id));
    const off = Object.keys(SIGMA_RULES_OFF_BY_DEFAULT);
    for (const r of shippedSigmaRules().rules) assert.equal(ids.has(`sigma:${r.id}`), !off.includes(`sigma:${r.id}`), r.id);
    assert.ok(ids.has('root-account-usage'));
    const explicit = await loadSigmaEventRules([shippedSigmaDir()]);
    const all = new Set(defaultEventRules(explicit.rules).map((r) => r.id));
    for (const id of off) assert.ok(all.has(id), id);
  });

  it('on by default only where the prefilter names the APIs, so most events skip them without a record decode', () => {
    const defaults = defaultEventRules().filter((r) => r.id.startsWith('sigma:'));
    const off = Object.keys(SIGMA_RULES_OFF_BY_DEFAULT);
    assert.equal(defaults.length, 57 - off.length);
    const wantsUnrelatedApi = (r: (typeof defaults)[number]) => !r.prefilter?.api || r.prefilter.api('trailscope.example.com', 'NoSuchCall', 'AssumedRole');
    assert.deepEqual(defaults.filter(wantsUnrelatedApi).map((r) => r.id), []);
    assert.deepEqual(shippedSigmaEventRules().filter(wantsUnrelatedApi).map((r) => r.id).sort(), [...off].sort());
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
