/**
 * Hostile CloudTrail content never drives the analyst's terminal: the real CLI (built, as users
 * run it) prints session names, user agents, S3 keys and file names with their control, C1 and
 * bidi characters escaped, while --json keeps the exact value.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../test/support/paths.js';
import { openStore } from '../store/index.js';
import { buildStatus, formatStatus } from './status.js';
import { createLogger } from '../ingest/log.js';

const HOSTILE = 'x\u001b]0;pwned\u0007\u001b[2J\u202eevil\u0085\nforged line';
// Anything a terminal interprets: C0 except the line feed ending our own lines, DEL, C1, bidi.
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

function cli(args: string[]): Promise<{ out: string; err: string; code: number }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [join(PROJECT_ROOT, 'bin', 'trailscope'), ...args], { cwd: PROJECT_ROOT, env: { ...process.env, TRAILSCOPE_DB: '' } }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') return reject(error);
      resolve({ out: stdout, err: stderr, code: error ? Number(error.code) : 0 });
    });
  });
}

let dir: string;
let db: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'trailscope-terminal-'));
  db = join(dir, 'ts.db');
  const record = {
    eventVersion: '1.08',
    eventID: '11111111-2222-3333-4444-555555555555',
    eventTime: '2026-01-10T10:00:00Z',
    eventSource: 'iam.amazonaws.com',
    eventName: 'ListUsers',
    awsRegion: 'us-east-1',
    recipientAccountId: '111122223333',
    sourceIPAddress: '203.0.113.7',
    userAgent: HOSTILE,
    userIdentity: {
      type: 'AssumedRole',
      arn: `arn:aws:sts::111122223333:assumed-role/deploy/${HOSTILE}`,
      accountId: '111122223333',
      principalId: `AROAEXAMPLE:${HOSTILE}`,
      sessionContext: { sessionIssuer: { type: 'Role', arn: 'arn:aws:iam::111122223333:role/deploy', accountId: '111122223333', userName: 'deploy' } },
    },
  };
  writeFileSync(join(dir, 'events.json'), JSON.stringify({ Records: [record] }));
  const imported = await cli(['import', join(dir, 'events.json'), '--db', db]);
  assert.equal(imported.code, 0, imported.err);
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('terminal safety', () => {
  it('events: the session name is escaped in text and exact in --json', async () => {
    const text = await cli(['events', '--db', db]);
    assert.equal(text.code, 0, text.err);
    assert.doesNotMatch(text.out, RAW_CONTROL);
    assert.equal(text.out.trimEnd().split('\n').length, 1, 'a newline in the session name forged a line');
    assert.ok(text.out.includes('\\x1b]0;pwned\\x07\\x1b[2J\\u{202e}evil\\x85\\x0aforged line'), text.out);
    const json = await cli(['events', '--json', '--db', db]);
    const [event] = JSON.parse(json.out) as { userAgent: string; sessionName: string }[];
    assert.equal(event!.userAgent, HOSTILE);
    assert.equal(event!.sessionName, HOSTILE);
  });

  it('an error naming a file shows its name escaped, on one line', async () => {
    const name = join(dir, 'bad\u001b[2J\nname.json');
    writeFileSync(name, '{"Records": [ this is not json');
    const r = await cli(['import', name, '--db', db]);
    assert.equal(r.code, 2);
    assert.doesNotMatch(r.err, RAW_CONTROL);
    const failed = r.err.split('\n').filter((l) => l.includes('failed'));
    assert.ok(failed.some((l) => l.includes('bad\\x1b[2J\\x0aname.json')), r.err);
    assert.ok(!r.err.split('\n').some((l) => l.startsWith('name.json')), 'the file name was split over two lines');
  });

  it('status escapes quarantined keys and reasons', async () => {
    const store = await openStore(join(dir, 'status.db'));
    try {
      await store.ingest.quarantine({ connector: 'c', messageId: 'm', body: '{}', bucket: 'b', key: `AWSLogs/${HOSTILE}`, reason: HOSTILE, fix: 'none', receiveCount: 1, leftForDlq: false, at: '2026-01-01T00:00:00Z' });
      const text = formatStatus(await buildStatus(store, new Date('2026-01-02T00:00:00Z')));
      assert.doesNotMatch(text, RAW_CONTROL);
      assert.ok(text.includes('s3://b/AWSLogs/x\\x1b]0;pwned'), text);
    } finally {
      await store.close();
    }
  });

  it('ingest log lines in text format are escaped; JSON lines keep the value', () => {
    const lines: string[] = [];
    createLogger('text', (l) => lines.push(l)).warn(`file ${HOSTILE}`, { key: HOSTILE });
    createLogger('json', (l) => lines.push(l)).warn('file', { key: HOSTILE });
    assert.doesNotMatch(lines[0]!.trimEnd(), RAW_CONTROL);
    assert.equal(lines[0]!.trimEnd().split('\n').length, 1);
    assert.equal((JSON.parse(lines[1]!) as { key: string }).key, HOSTILE);
  });
});
