/** `trailscope coverage`, the findings notice and `identities` activity, end to end through `import`. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ACCOUNT, allow, authorizationDetails, daysBefore, importIam, record, tempStore, type TempStore } from '../../test/support/analysis.js';
import { PROJECT_ROOT } from '../../test/support/paths.js';

const AS_OF = '2026-06-01T00:00:00Z';
let t: TempStore;
let logs: string;

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

/** A delivery file of ACCOUNT in a region, delivered at `at` (ISO, on the hour or later). */
function deliver(region: string, at: string): void {
  const d = new Date(at);
  const p2 = (n: number) => String(n).padStart(2, '0');
  const day = `${d.getUTCFullYear()}/${p2(d.getUTCMonth() + 1)}/${p2(d.getUTCDate())}`;
  const stamp = `${d.getUTCFullYear()}${p2(d.getUTCMonth() + 1)}${p2(d.getUTCDate())}T${p2(d.getUTCHours())}${p2(d.getUTCMinutes())}Z`;
  const dir = join(logs, 'AWSLogs', ACCOUNT, 'CloudTrail', region, day);
  mkdirSync(dir, { recursive: true });
  const rec = { ...record({ user: 'worker' }, 'iam:ListUsers', at), awsRegion: region };
  writeFileSync(join(dir, `${ACCOUNT}_CloudTrail_${region}_${stamp}_Ab12Cd34Ef56Gh78.json`), JSON.stringify({ Records: [rec] }));
}

before(async () => {
  t = await tempStore();
  logs = join(dirname(t.path), 'logs');
  await importIam(t.store, {
    authz: [authorizationDetails({ users: [{ name: 'idle', created: '2025-01-01T00:00:00Z', inline: [allow(['s3:ListAllMyBuckets'])] }, { name: 'worker', created: '2025-01-01T00:00:00Z', inline: [allow(['iam:*'])] }] })],
  });
  await t.store.close();
});
after(async () => t?.close());

describe('coverage command and notices', () => {
  it('before any CloudTrail: no inactive finding, one notice line per account on stderr, identities activity unknown', async () => {
    const f = await run(['findings', '--json', '--as-of', AS_OF]);
    assert.equal(f.code, 0, f.err);
    const judged = ['inactive-identity', 'overprovisioned-identity', 'unused-access-key', 'unused-console-password'];
    assert.deepEqual((JSON.parse(f.out) as { rule: string }[]).filter((x) => judged.includes(x.rule)), []);
    const lines = f.err.split('\n').filter((l) => l.includes(`account ${ACCOUNT}: activity not judged`));
    assert.equal(lines.length, 1, f.err);
    assert.match(lines[0]!, /no CloudTrail logs in the window.*trailscope backfill (--db \S+ )?--bucket \S+ --account 111122223333 --days 90, or trailscope import/);
    const ids = JSON.parse((await run(['identities', '--json', '--as-of', AS_OF])).out) as { name: string; activity: string; unusedActionCount: number | null; coverage: unknown }[];
    const idle = ids.find((i) => i.name === 'idle')!;
    assert.equal(idle.activity, 'unknown');
    assert.equal(idle.unusedActionCount, null);
    assert.deepEqual(idle.coverage, { coveredDays: 0, spans: [] });
  });

  it('after import: coverage --json per account and region (delivery hours, gaps), text output, and judged findings', async () => {
    // us-east-1 every 6 hours for the last 20 days, eu-west-1 daily at noon; neither on 2026-05-25.
    for (let h = 20 * 24; h > 0; h -= 6) {
      const at = new Date(Date.parse(AS_OF) - h * 3_600_000 + 5 * 60_000).toISOString();
      if (at.startsWith('2026-05-25')) continue;
      deliver('us-east-1', at);
    }
    for (let d = 20; d >= 1; d--) if (d !== 7) deliver('eu-west-1', new Date(Date.parse(daysBefore(AS_OF, d)) + 12 * 3_600_000).toISOString());
    const imp = await run(['import', logs]);
    assert.equal(imp.code, 0, imp.err);

    const r = await run(['coverage', '--json', '--as-of', AS_OF, '--window', '30']);
    assert.equal(r.code, 0, r.err);
    const cov = JSON.parse(r.out) as {
      accountId: string;
      coveredDays: number;
      activity: string;
      spans: { start: string; end: string }[];
      gaps: { start: string; end: string }[];
      regions: { region: string; firstFile: string; lastFile: string; spans: unknown[]; gaps: { start: string; end: string }[] }[];
    }[];
    assert.equal(cov.length, 1);
    const a = cov[0]!;
    assert.equal(a.accountId, ACCOUNT);
    assert.equal(a.activity, 'known');
    assert.deepEqual(a.regions.map((x) => x.region), ['eu-west-1', 'us-east-1']);
    const use1 = a.regions.find((x) => x.region === 'us-east-1')!;
    // the missing day (no file 2026-05-24T18:05 .. 2026-05-26T00:05) is a gap of us-east-1 and of the account
    assert.ok(use1.gaps.some((g) => g.start === '2026-05-24T19:00:00Z' && g.end === '2026-05-26T00:00:00Z'), JSON.stringify(use1.gaps));
    assert.ok(a.gaps.some((g) => g.start === '2026-05-24T19:00:00Z' && g.end === '2026-05-26T00:00:00Z'), JSON.stringify(a.gaps));
    assert.equal(use1.firstFile, '2026-05-12T00:00:00Z');
    assert.ok(a.coveredDays > 15 && a.coveredDays < 20, String(a.coveredDays));

    const text = await run(['coverage', '--as-of', AS_OF, '--window', '30']);
    assert.match(text.out, /ACCOUNT\s+REGION\s+COVERED DAYS/);
    assert.match(text.out, new RegExp(`${ACCOUNT}\\s+us-east-1`));
    assert.match(text.err, /a gap is 24\+ hours without a log file/);

    const f = JSON.parse((await run(['findings', '--json', '--as-of', AS_OF, '--window', '30'])).out) as { rule: string; resource: string }[];
    assert.ok(f.some((x) => x.rule === 'inactive-identity' && x.resource.endsWith('user/idle')));
    const strict = await run(['findings', '--json', '--as-of', AS_OF, '--window', '30', '--min-coverage-days', '25']);
    assert.ok(!(JSON.parse(strict.out) as { rule: string }[]).some((x) => x.rule === 'inactive-identity'));
    assert.match(strict.err, /cover only [\d.]+ of the 30 days in the window \(at least 25 days needed\)/);
    const bad = await run(['coverage', '--coverage-gap-hours', 'zero']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.err, /--coverage-gap-hours must be/);
  });
});
