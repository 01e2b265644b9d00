import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findingsToSarif } from './sarif.js';
import { builtinRules } from '../rules/index.js';
import type { Finding } from '../../model/finding.js';
import { detectionRules } from '../../detect/findings.js';
import { builtinEventRules } from '../../detect/rules/index.js';
import { shippedSigmaEventRules } from '../../detect/sigma-rules.js';
import type { DetectionRecord } from '../../store/types.js';

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
  help: { text: string; markdown: string };
  helpUri?: string;
  properties: { tags: string[]; 'security-severity': string; severity: string };
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

  it("describes a Sigma rule's detections with the rule's references, level and ATT&CK tags", () => {
    const misuse = shippedSigmaEventRules().find((r) => r.title === 'AWS STS AssumeRole Misuse')!;
    const stored: DetectionRecord = {
      rule: misuse.id,
      eventId: 'evt-9',
      eventTime: '2026-05-01T10:00:00Z',
      accountId: '111122223333',
      resource: 'arn:aws:iam::111122223333:role/deploy',
      severity: 'low',
      title: misuse.title,
      description: misuse.description,
      remediation: misuse.remediation,
      details: {},
      evidence: ['evt-9'],
    };
    // As `findings` loads them: the built-in event rules, the shipped Sigma rules as the catalog.
    const rules = detectionRules(builtinEventRules, [stored], shippedSigmaEventRules());
    const findings = rules.flatMap((r) => r.evaluate({} as never) as Finding[]);
    const log = findingsToSarif(findings, rules) as unknown as SarifLog;
    const run = log.runs[0]!;
    const rule = run.tool.driver.rules[run.results[0]!.ruleIndex]!;
    assert.equal(rule.id, 'sigma:905d389b-b853-46d0-9d3d-dea0d3a3cd49');
    assert.match(rule.fullDescription.text, /suspicious use of AssumeRole/);
    assert.equal(rule.helpUri, 'https://github.com/elastic/detection-rules/pull/1214');
    assert.match(rule.help.markdown, /<https:\/\/docs\.aws\.amazon\.com\/STS\/latest\/APIReference\/API_AssumeRole\.html>/);
    assert.ok(rule.properties.tags.includes('attack.t1550.001'), rule.properties.tags.join());
    assert.ok(rule.properties.tags.includes('attack.lateral-movement'));
    assert.equal(rule.properties.severity, 'low');
    assert.equal(rule.defaultConfiguration.level, 'note');
    // A built-in event rule carries its ATT&CK technique as a tag; CIEM rules keep theirs.
    const root = run.tool.driver.rules.find((r) => r.id === 'root-account-usage')!;
    assert.ok(root.properties.tags.includes('attack.t1078.004'));
  });

  it('escapes Markdown in rule text and keeps only web links', () => {
    const log = findingsToSarif([], [{ id: 'x', title: 't', severity: 'low', description: 'd', remediation: 'see [here](javascript:alert(1))', references: ['javascript:alert(1)', 'https://example.com/a'] }]) as unknown as SarifLog;
    const md = log.runs[0]!.tool.driver.rules[0]!.help.markdown;
    assert.ok(!md.includes('[here]('), md);
    assert.ok(!md.includes('<javascript:'), md);
    assert.ok(md.includes('<https://example.com/a>'));
  });
});
