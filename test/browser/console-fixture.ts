/**
 * The console over real-ish data: a small generated organization imported through the real
 * pipeline (trail files, IAM snapshots, a findings run), two events with hostile user agents,
 * a connector, and the HTTP server listening on a free loopback port.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { generateOrganization } from '../../src/generate/index.js';
import { importPaths } from '../../src/ingest/local-import.js';
import { readIamFile, importIamInputs } from '../../src/iam/import.js';
import { IamRepository } from '../../src/iam/repository.js';
import { openStore, type Store } from '../../src/store/index.js';
import { findFindings } from '../../src/app/index.js';
import { addConnector } from '../../src/connectors/index.js';
import { buildServer } from '../../src/server/index.js';
import { addRecords, record } from '../support/analysis.js';

export const HOSTILE_AGENTS = ['<script>window.__pwned = "script"</script>', '<img src=x onerror="window.__pwned = \'img\'">'];

export interface ConsoleFixture {
  url: string;
  store: Store;
  app: FastifyInstance;
  /** The generated window's end (the analysis time). */
  end: string;
  /** An account of the generated organization. */
  accountId: string;
  hostileEventIds: string[];
  close(): Promise<void>;
}

const DAY_MS = 86_400_000;

/**
 * The imported files were read from disk, not delivered through a queue, so no connector has
 * ingestion counters: record what the SQS worker would have (per account: the files and events
 * of its last day, the newest event), one quarantined message and one problem, through the
 * store's own ingest-state API.
 */
async function recordDeliveries(store: Store, connector: string, end: Date): Promise<void> {
  const perAccount = new Map<string, { events: number; newest: string }>();
  for await (const e of store.events.iterate({ since: new Date(end.getTime() - DAY_MS).toISOString() })) {
    const acct = e.recipientAccountId ?? 'unknown';
    const a = perAccount.get(acct) ?? { events: 0, newest: e.eventTime };
    a.events++;
    if (e.eventTime > a.newest) a.newest = e.eventTime;
    perAccount.set(acct, a);
  }
  for (const [accountId, a] of perAccount) {
    await store.ingest.bumpCounters({ connector, accountId, files: 288, events: a.events, messageAt: a.newest, fileAt: a.newest, newestEventTime: a.newest, fileKey: `AWSLogs/${accountId}/CloudTrail/us-east-1/last.json.gz` });
  }
  const at = end.toISOString();
  await store.ingest.quarantine({ connector, messageId: 'msg-1', body: '{"not":"an S3 notification"}', bucket: null, key: null, reason: 'the message is not an S3 event notification', fix: 'send only the bucket notifications to this queue', receiveCount: 5, leftForDlq: false, at });
  await store.ingest.reportProblem({ connector, kind: 'kms-decrypt', message: 'kms:Decrypt denied for one file', fix: 'allow the read role kms:Decrypt on the trail key', bucket: 'org-trail-logs', key: 'AWSLogs/x.json.gz', at });
}

export async function startConsole(opts: { token?: string } = {}): Promise<ConsoleFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'trailscope-console-'));
  const out = join(dir, 'org');
  // The window ends at today's midnight, so the API's default analysis time (now) sees it.
  const end = new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS);
  const days = 100;
  await generateOrganization({ out, accounts: 2, days, eventsPerDay: 8, identitiesPerAccount: 3, seed: 'console-test', gzipLevel: 1, start: new Date(end.getTime() - days * DAY_MS).toISOString(), workers: 1 });
  const expected = JSON.parse(readFileSync(join(out, 'expected.json'), 'utf8')) as { window: { end: string } };
  const store = await openStore(join(dir, 'db.sqlite'));
  await importPaths(store, [join(out, 'AWSLogs')]);
  const iamFiles = readdirSync(join(out, 'iam')).map((f) => join(out, 'iam', f));
  const inputs = await Promise.all([...iamFiles, join(out, 'organizations', 'scps.json')].map((f) => readIamFile(f)));
  await importIamInputs(inputs, new IamRepository(store.iam), { takenAt: expected.window.end });
  const accountId = (await store.iam.accounts()).sort()[0]!;

  const hostile = HOSTILE_AGENTS.map((ua, i) => {
    const r = record({ user: `intruder${i}`, account: accountId }, 's3:ListBuckets', new Date(end.getTime() - (i + 1) * 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z'), { id: `hostile-${i}` });
    r.userAgent = ua;
    return r;
  });
  await addRecords(store, hostile);
  await findFindings(store, { asOf: expected.window.end, windowDays: 90 });
  await addConnector(store, { name: 'org-trail', bucket: 'org-trail-logs', queueUrl: `https://sqs.eu-west-1.amazonaws.com/${accountId}/trail-events`, region: 'eu-west-1', type: 'organization', organizationId: 'o-a1b2c3d4e5' });

  await recordDeliveries(store, 'org-trail', end);

  const app = await buildServer({ store, ...(opts.token ? { token: opts.token } : {}) });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    store,
    app,
    end: expected.window.end,
    accountId,
    hostileEventIds: hostile.map((r) => String(r.eventID)),
    async close() {
      await app.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
