import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileSigmaYaml, loadSigmaRules } from './index.js';
import { sharedData } from '../../../test/support/paths.js';
import { defaultEventRules, loadSigmaEventRules } from '../sigma-rules.js';
import { builtinEventRules } from '../rules/index.js';

function rule(id: string, detection: string, extra = ''): string {
  return `title: Test rule ${id}
id: ${id}
status: test
author: Tester
logsource:
    product: aws
    service: cloudtrail
detection:
${detection}
level: high
${extra}`;
}

const GOOD = rule('11111111-1111-4111-8111-111111111111', `    selection:
        eventSource: iam.amazonaws.com
        eventName:
            - CreateUser
            - DeleteUser
    filter:
        userIdentity.type: AWSService
    condition: selection and not filter`);

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'sigma-loader-'));
  mkdirSync(join(dir, 'nested'));
  writeFileSync(join(dir, 'good.yml'), GOOD);
  writeFileSync(join(dir, 'nested', 'duplicate.yaml'), GOOD.replace('Test rule', 'Copy of'));
  writeFileSync(join(dir, 'base64.yml'), rule('22222222-2222-4222-8222-222222222222', `    selection:\n        requestParameters|base64offset|contains: abc\n    condition: selection`));
  writeFileSync(join(dir, 'count.yml'), rule('33333333-3333-4333-8333-333333333333', `    selection:\n        eventName: ListBuckets\n    condition: selection | count() by sourceIPAddress > 5`));
  writeFileSync(join(dir, 'windows.yml'), GOOD.replace('product: aws', 'product: windows').replace('11111111', '44444444'));
  writeFileSync(join(dir, 'broken.yml'), 'title: [unclosed\n');
  writeFileSync(join(dir, 'level.yml'), rule('55555555-5555-4555-8555-555555555555', `    selection:\n        eventName: X\n    condition: selection`).replace('level: high', 'level: urgent'));
  writeFileSync(join(dir, 'notes.txt'), 'not a rule');
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('Sigma loader', () => {
  it('loads the rules it can run and reports every other one with its file and reason', () => {
    const { rules, problems } = loadSigmaRules([dir]);
    assert.deepEqual(rules.map((r) => [r.id, r.file, r.level, r.author]), [['11111111-1111-4111-8111-111111111111', 'good.yml', 'high', 'Tester']]);
    const byFile = Object.fromEntries(problems.map((p) => [p.file.replace(dir, '<dir>'), p.message]));
    assert.match(byFile['<dir>/base64.yml']!, /unsupported modifier \|base64offset/);
    assert.match(byFile['<dir>/count.yml']!, /aggregations/);
    assert.match(byFile['<dir>/broken.yml']!, /not valid YAML/);
    assert.match(byFile['<dir>/level.yml']!, /level "urgent"/);
    assert.match(byFile['<dir>/nested/duplicate.yaml']!, /already loaded from .*good\.yml/);
    assert.match(byFile['<dir>']!, /^1 rule is for other log sources/);
    assert.equal(problems.length, 6);
  });

  it('refuses a path that does not exist rather than loading nothing', () => {
    assert.throws(() => loadSigmaRules([join(dir, 'missing')]), /cannot read .*missing: ENOENT/);
  });

  it("reports each of SigmaHQ's CloudTrail rules this engine cannot run, none silently", () => {
    const paths = [sharedData('sigma', 'unsupported'), sharedData('sigma', 'rules-placeholder')];
    const { rules, problems } = loadSigmaRules(paths);
    assert.equal(rules.length, 0);
    assert.equal(problems.length, 9);
    assert.ok(problems.every((p) => /timeframe|aggregations|\|expand/.test(p.message)), JSON.stringify(problems));
  });

  it('matches on the raw record with the condition, and prefilters on API and identity type', () => {
    const r = compileSigmaYaml(GOOD, 'good.yml');
    const base = { eventSource: 'iam.amazonaws.com', eventName: 'createuser', userIdentity: { type: 'IAMUser' } };
    assert.equal(r.matches(base), true);
    assert.equal(r.matches({ ...base, userIdentity: { type: 'AWSService' } }), false);
    assert.equal(r.matches({ ...base, eventName: 'CreateRole' }), false);
    const api = r.prefilter!.api!;
    assert.equal(api('iam.amazonaws.com', 'DeleteUser', 'IAMUser'), true);
    assert.equal(api('iam.amazonaws.com', 'CreateRole', 'IAMUser'), false);
    assert.equal(api('s3.amazonaws.com', 'CreateUser', 'IAMUser'), false);
    // `not filter` constrains nothing the prefilter may rely on.
    assert.equal(api('iam.amazonaws.com', 'CreateUser', 'AWSService'), true);
  });

  it('prefilters on userIdentity.type only when the event has one', () => {
    const r = compileSigmaYaml(rule('66666666-6666-4666-8666-666666666666', `    selection:\n        userIdentity.type: AssumedRole\n    condition: selection`), 'x.yml');
    const api = r.prefilter!.api!;
    assert.deepEqual([api('s3', 'GetObject', 'AssumedRole'), api('s3', 'GetObject', 'IAMUser'), api('s3', 'GetObject', null)], [true, false, true]);
    const free = compileSigmaYaml(rule('77777777-7777-4777-8777-777777777777', `    selection:\n        userAgent: TruffleHog\n    condition: selection`), 'y.yml');
    assert.equal(free.prefilter, undefined);
  });

  it('lets a --sigma-dir rule replace the shipped rule with the same id', async () => {
    const shipped = defaultEventRules();
    assert.ok(shipped.length > builtinEventRules.length + 50);
    const copy = join(dir, 'newer');
    mkdirSync(copy);
    writeFileSync(join(copy, 'root.yml'), rule('8ad1600d-e9dc-4251-b0ee-a65268f29add', `    selection:\n        userIdentity.type: Root\n    condition: selection`).replace('Test rule', 'Newer root rule'));
    const { rules, problems } = await loadSigmaEventRules([copy]);
    assert.deepEqual(problems, []);
    const merged = defaultEventRules(rules);
    assert.equal(merged.length, shipped.length);
    assert.deepEqual(merged.filter((r) => r.id === 'sigma:8ad1600d-e9dc-4251-b0ee-a65268f29add').map((r) => r.title), ['Newer root rule 8ad1600d-e9dc-4251-b0ee-a65268f29add']);
  });
});
