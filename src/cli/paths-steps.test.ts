/** `trailscope paths` end to end: a path through a joined group printed step by step, and a condition shown. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ACCOUNT, allow, authorizationDetails, importIam, tempStore, type TempStore } from '../../test/support/analysis.js';
import { PROJECT_ROOT } from '../../test/support/paths.js';
import type { PathsDocument } from './paths.js';

const AS_OF = '2026-06-01T00:00:00Z';
const INTERN = `arn:aws:iam::${ACCOUNT}:user/intern`;
const REMOTE = `arn:aws:iam::${ACCOUNT}:user/remote`;
const GROUP = `arn:aws:iam::${ACCOUNT}:group/policy-editors`;
const POLICY = `arn:aws:iam::${ACCOUNT}:policy/editors`;
const DERIVED = `${INTERN}+group:${GROUP}`;
let t: TempStore;

function run(args: string[]): Promise<{ out: string; err: string; code: number }> {
  const entry = join(dirname(fileURLToPath(import.meta.url)), 'index.ts');
  const script = `import { main } from ${JSON.stringify(pathToFileURL(entry).href)}; await main(process.argv);`;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script, 'trailscope', ...args, '--db', t.path],
      { cwd: PROJECT_ROOT, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') return reject(error);
        resolve({ out: stdout, err: stderr, code: error ? Number(error.code) : 0 });
      },
    );
  });
}

before(async () => {
  t = await tempStore();
  const authz = authorizationDetails({
    users: [
      { name: 'intern', created: '2025-01-01T00:00:00Z', inline: [allow(['iam:AddUserToGroup'], GROUP)] },
      {
        name: 'remote',
        created: '2025-01-01T00:00:00Z',
        inline: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:PutUserPolicy', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } } }] }],
      },
    ],
    policies: [{ name: 'editors', document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:CreatePolicyVersion', Resource: POLICY }] } }],
  });
  authz.GroupDetailList = [
    { Path: '/', GroupName: 'policy-editors', GroupId: 'AGPAEDITORS', Arn: GROUP, CreateDate: '2025-01-01T00:00:00Z', GroupPolicyList: [], AttachedManagedPolicies: [{ PolicyName: 'editors', PolicyArn: POLICY }] },
  ];
  await importIam(t.store, { authz: [authz] });
});
after(async () => t?.close());

describe('paths: every step of a self-escalation through a group', () => {
  it('text: the join, then the policy version, each on its line', async () => {
    const r = await run(['paths', '--from', INTERN, '--as-of', AS_OF]);
    assert.equal(r.code, 0, r.err);
    const lines = r.out.trimEnd().split('\n');
    assert.equal(lines[0], `${INTERN} → admin  [possible]`);
    assert.match(lines[1]!, new RegExp(`^ +iam-013 +possible +${escape(DERIVED)} \\(via ${escape(GROUP)}\\)$`));
    assert.match(lines[2]!, new RegExp(`^ +iam-001 +possible +admin \\(via ${escape(POLICY)}\\)$`));
    assert.equal(lines.length, 3);
  });

  it('json: both steps, and the derived node says whose permissions it holds', async () => {
    const r = await run(['paths', '--from', INTERN, '--as-of', AS_OF, '--json']);
    assert.equal(r.code, 0, r.err);
    const doc = JSON.parse(r.out) as PathsDocument;
    assert.deepEqual(doc.paths[0]?.steps.map((s) => [s.from, s.technique, s.to]), [
      [INTERN, 'iam-013', DERIVED],
      [DERIVED, 'iam-001', 'admin'],
    ]);
    assert.deepEqual(doc.nodes[DERIVED]?.derived, { from: INTERN, addedGroups: [GROUP], addedPolicies: [] });
    assert.equal(doc.nodes[DERIVED]?.imported, false);
  });

  it('text: a conditional step shows its condition', async () => {
    const r = await run(['paths', '--from', REMOTE, '--as-of', AS_OF]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /\[possible, conditional\]/);
    assert.match(r.out, /\n +only if IpAddress aws:SourceIp 203\.0\.113\.0\/24\n/);
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
