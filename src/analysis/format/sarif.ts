/**
 * SARIF 2.1.0 output: one run, the rules' metadata in tool.driver.rules, one result per
 * finding located logically at the IAM identity (there is no source file), with a stable
 * partial fingerprint so code-scanning platforms can track a finding across runs.
 */
import type { Finding, RuleMetadata, Severity } from '../../model/index.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
};

/** GitHub's security-severity scale (0-10). */
const SECURITY_SEVERITY: Record<Severity, string> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '3.0',
  info: '0.0',
};

export function findingsToSarif(
  findings: readonly Finding[],
  rules: readonly RuleMetadata[],
  tool: { version: string; informationUri?: string } = { version: '0.1.0' },
): Record<string, unknown> {
  const index = new Map(rules.map((r, i) => [r.id, i]));
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'trailscope',
            version: tool.version,
            ...(tool.informationUri ? { informationUri: tool.informationUri } : {}),
            rules: rules.map((r) => ({
              id: r.id,
              name: r.id.replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase()),
              shortDescription: { text: r.title },
              fullDescription: { text: r.description },
              help: { text: `${r.remediation}\n\n${r.references.join('\n')}`.trim() },
              ...(r.references[0] ? { helpUri: r.references[0] } : {}),
              defaultConfiguration: { level: LEVEL[r.severity] },
              properties: { tags: ['security', 'iam', 'ciem'], 'security-severity': SECURITY_SEVERITY[r.severity] },
            })),
          },
        },
        results: findings.map((f) => ({
          ruleId: f.rule,
          ...(index.has(f.rule) ? { ruleIndex: index.get(f.rule) } : {}),
          level: LEVEL[f.severity],
          message: { text: `${f.title}. ${f.description}` },
          locations: [
            {
              logicalLocations: [{ fullyQualifiedName: f.resource, name: f.resource.split('/').pop(), kind: 'resource' }],
            },
          ],
          partialFingerprints: { 'trailscopeFinding/v1': f.id },
          properties: {
            severity: f.severity,
            'security-severity': SECURITY_SEVERITY[f.severity],
            accountId: f.accountId,
            resource: f.resource,
            remediation: f.remediation,
            evidence: f.evidence,
            details: f.details,
          },
        })),
        columnKind: 'utf16CodeUnits',
      },
    ],
  };
}
