import { syntheticEvents } from '/work/main/src/store/testing/fixtures.js';
import { openSqliteStore } from '/work/main/src/store/sqlite/index.js';
import { rmSync } from 'node:fs';
const N = Number(process.argv[2] ?? 200000);
rmSync('/tmp/exp/us', { recursive: true, force: true });
const store = openSqliteStore('/tmp/exp/us/db.sqlite');
const start = Date.parse('2026-01-01T00:00:00Z');
for (let k = 0; k < N; k += 50000) {
  const evs = syntheticEvents(Math.min(50000, N - k), { seed: k + 1, principals: 100, accounts: 20, start: start + (k / N) * 90 * 86400000, spanMs: (50000 / N) * 90 * 86400000 });
  for (let i = 0; i < evs.length; i += 1000) await store.events.insertEvents(evs.slice(i, i + 1000));
}
let t0 = performance.now(); const rows = await store.events.usage({}); console.log('usage all', rows.length, 'rows', (performance.now() - t0).toFixed(0), 'ms');
t0 = performance.now(); const r2 = await store.events.usage({ since: '2026-01-15T10:30:00Z', until: '2026-03-01T07:45:00Z' }); console.log('usage window', r2.length, (performance.now() - t0).toFixed(0), 'ms');
t0 = performance.now(); const p = await store.events.principals({}); console.log('principals', p.length, (performance.now() - t0).toFixed(0), 'ms');
t0 = performance.now(); const q = await store.events.query({ principalArn: 'arn:aws:iam::100000000003:role/synthetic-7', limit: 100 }); console.log('query principal', q.length, (performance.now() - t0).toFixed(0), 'ms');
t0 = performance.now(); const b = await store.events.usage({ principalArn: 'arn:aws:iam::100000000003:role/synthetic-7', byResource: true }); console.log('usage byResource one principal', b.length, (performance.now() - t0).toFixed(0), 'ms');
t0 = performance.now(); const s = await store.events.stats(); console.log('stats', s.events, (performance.now() - t0).toFixed(0), 'ms');
await store.close();
