import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findingsToSarif } from './sarif.js';
import { builtinRules } from '../rules/index.js';
import type { Finding } from '../../model/finding.js';

const finding = (rule: string, severity: Finding['severity']): Finding => ({
  id: `id-${rule}`,
  rule,
  severity,
  accountId: '111122223333',
  resource: 'arn:aws:iam::111122223333:role/app',
  title: 't',
  description: 'd',
  remediation: 'r',
  details: { k: 1 },
  evidence: ['evt-1'],
});

interface SarifRule {
  id: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  help: { text: string };
  defaultConfiguration: { level: string };
}
interface SarifResult {
  ruleIndex: number;
  level: string;
  locations: { logicalLocations: { fullyQualifiedName: string }[] }[];
  partialFingerprints: Record<string, string>;
  properties: { evidence: string[] };
}
interface SarifLog {
  version: string;
  $schema: string;
  runs: { tool: { driver: { name: string; rules: SarifRule[] } }; results: SarifResult[] }[];
}

describe('SARIF output', () => {
  it('is SARIF 2.1.0 with every rule described and results pointing at their rule', () => {
    const log = findingsToSarif([finding('super-identity', 'high'), finding('unused-access-key', 'medium')], builtinRules) as unknown as SarifLog;
    assert.equal(log.version, '2.1.0');
    assert.match(log.$schema, /sarif-2\.1\.0/);
    const run = log.runs[0]!;
    assert.equal(run.tool.driver.name, 'trailscope');
    assert.deepEqual(run.tool.driver.rules.map((r) => r.id), builtinRules.map((r) => r.id));
    for (const r of run.tool.driver.rules) {
      assert.ok(r.shortDescription.text && r.fullDescription.text && r.help.text);
      assert.ok(['error', 'warning', 'note'].includes(r.defaultConfiguration.level));
    }
    const [a, b] = run.results as [SarifResult, SarifResult];
    assert.equal(run.tool.driver.rules[a.ruleIndex]?.id, 'super-identity');
    assert.equal(a.level, 'error');
    assert.equal(b.level, 'warning');
    assert.equal(a.locations[0]?.logicalLocations[0]?.fullyQualifiedName, 'arn:aws:iam::111122223333:role/app');
    assert.equal(a.partialFingerprints['trailscopeFinding/v1'], 'id-super-identity');
    assert.deepEqual(a.properties.evidence, ['evt-1']);
  });
});
