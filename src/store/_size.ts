import { syntheticEvents } from './testing/fixtures.js';
import { openStore } from './index.js';
import { rmSync } from 'node:fs';
import Database from 'better-sqlite3';
const path = '/tmp/exp/size/db.sqlite';
rmSync('/tmp/exp/size', { recursive: true, force: true });
const store = await openStore(path);
const N = 20000;
const events = syntheticEvents(N, { seed: 5, principals: Number(process.argv[2] ?? 200), accounts: 5 });
let i = 0, f = 0;
while (i < events.length) { const size = 20 + ((f * 37) % 180); const batch = events.slice(i, i + size);
  await store.events.commitFile({ source: 'file', key: `AWSLogs/111111111111/CloudTrail/us-east-1/2026/01/01/f${f}.json.gz`, size: 1, etag: 'x', status: 'done', kind: 'events', eventCount: batch.length, newEvents: 0, connector: 'import', accountId: '111111111111', processedAt: new Date().toISOString() }, batch);
  i += size; f++; }
await store.close();
const db = new Database(path);
db.pragma('wal_checkpoint(TRUNCATE)');
const rows = db.prepare("SELECT name, sum(pgsize) AS bytes, sum(payload) AS payload, count(*) AS pages FROM dbstat GROUP BY name ORDER BY bytes DESC").all() as {name:string,bytes:number,payload:number,pages:number}[];
let tot = 0; for (const r of rows) { tot += r.bytes; console.log(r.name.padEnd(28), (r.bytes/N).toFixed(1).padStart(7), 'B/ev  payload', (r.payload/N).toFixed(1)); }
console.log('total', (tot/N).toFixed(1), 'page_count*size', (db.pragma('page_count',{simple:true}) as number)*4096/N);
console.log(db.prepare('select count(*) c, avg(n) from raw_blocks').get(), db.prepare('select count(*) c from usage_hourly').get());
