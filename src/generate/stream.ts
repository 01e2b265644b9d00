/**
 * The streaming and writing machinery of `generateOrganization`: one account's trail, day by
 * day, delivered into 5-minute files that are gzipped and written as soon as their window
 * closes, plus the account's digest files; and the bounded pool of writes in flight.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { Rng, cumulative } from './rng.js';
import type { Organization } from './org.js';
import type { AccountInfo } from './model.js';
import { buildRecord, SessionCache } from './records.js';
import type { PlannedEvent } from './records.js';
import { DAY_MS } from './builder.js';
import type { GenerateSink } from './sink.js';
import { backgroundEvent, HUMAN_STYLES, weightedHour } from './background.js';

const HOUR_MS = 3_600_000;

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

function stamp(ms: number, seconds = false): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${seconds ? pad(d.getUTCSeconds()) : ''}Z`;
}

function datePath(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}`;
}

export function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A record already serialized, with its event time (for digests). */
interface Rec {
  json: string;
  timeMs: number;
}

interface Window {
  region: string;
  deliveryMs: number;
  records: Rec[];
}

/** CloudTrail splits large deliveries; so do we. */
const MAX_RECORDS_PER_FILE = 1500;

interface DigestEntry {
  s3Object: string;
  hashValue: string;
  oldest: string;
  newest: string;
}

/** Small bounded pool of async writes, so generation streams instead of holding every file. */
export class WritePool {
  private inflight = new Set<Promise<void>>();
  private failure: unknown = null;
  constructor(private readonly limit: number) {}
  async add(task: () => Promise<void>): Promise<void> {
    if (this.failure) throw this.failure;
    while (this.inflight.size >= this.limit) await Promise.race(this.inflight);
    if (this.failure) throw this.failure;
    const p: Promise<void> = task()
      .catch((err: unknown) => {
        this.failure ??= err;
      })
      .finally(() => this.inflight.delete(p));
    this.inflight.add(p);
  }
  async drain(): Promise<void> {
    await Promise.all(this.inflight);
    if (this.failure) throw this.failure;
  }
}

/** The counters of GenerateSummary that account streams add to. */
export interface StreamCounters {
  events: number;
  duplicateRecords: number;
  plantedEvents: number;
  dataEvents: number;
  errorEvents: number;
  logFiles: number;
  digestFiles: number;
  bytesUncompressed: number;
  bytesCompressed: number;
}

/** What every account's stream shares within one generateOrganization run. */
export interface StreamContext {
  seed: string;
  org: Organization;
  startMs: number;
  days: number;
  eventsPerDay: number;
  /** Delivery window (deliveryMinutes) in ms. */
  windowMs: number;
  gzipLevel: number;
  /** The trail's bucket, named in digests. */
  bucketName: string;
  pool: WritePool;
  sink: GenerateSink;
  summary: StreamCounters;
}

/**
 * Generates one account's background events merged with its planted events (`scripted`, in time
 * order), writes its log files and first-day digests, and returns its number of distinct events.
 * Memory stays bounded by one account-day of records plus the in-flight writes.
 */
export async function streamAccount(ctx: StreamContext, acct: AccountInfo, scripted: PlannedEvent[]): Promise<number> {
  const { seed, org, startMs, days, eventsPerDay, windowMs, gzipLevel, bucketName, pool, summary } = ctx;
  const sinkOut = ctx.sink;
  const rng = Rng.derive(seed, `events:${acct.id}`);
  const sessions = new SessionCache(rng);
  const actors = org.actors.get(acct.id) ?? [];
  const actorCum = cumulative(actors.map((a) => a.weight));
  const callCums = actors.map((a) => cumulative(a.activity.weights));
  const human = actors.map((a) => HUMAN_STYLES.has(a.style));
  let si = 0;
  const pending = new Map<string, Window>();
  const digestHours = new Map<number, DigestEntry[]>(); // first day, home region
  const home = acct.regions[0]!;
  const prefix = `AWSLogs/${org.id}/${acct.id}`;
  let accountEvents = 0;

  const place = (rec: Rec, region: string, deliveryMs: number): void => {
    const w = Math.ceil(deliveryMs / windowMs) * windowMs;
    const key = `${region}|${w}`;
    let win = pending.get(key);
    if (!win) pending.set(key, (win = { region, deliveryMs: w, records: [] }));
    win.records.push(rec);
  };
  /** Adds the record to the file of its delivery window; returns the delivery time. */
  const deliver = (ev: PlannedEvent): number => {
    const json = JSON.stringify(buildRecord(ev, rng, sessions));
    if (ev.call.data) summary.dataEvents++;
    if (ev.error) summary.errorEvents++;
    const delay = rng.chance(0.002) ? rng.int(30, 150) * 60_000 : rng.int(45, 540) * 1000;
    place({ json, timeMs: ev.timeMs }, ev.region, ev.timeMs + delay);
    return ev.timeMs + delay;
  };
  /** Writes every window delivered at or before `untilMs` (no later event can still join it). */
  const flush = async (untilMs: number): Promise<void> => {
    const ready: Window[] = [];
    for (const w of pending.values()) if (w.deliveryMs <= untilMs) ready.push(w);
    if (!ready.length) return;
    ready.sort((a, b) => a.deliveryMs - b.deliveryMs || (a.region < b.region ? -1 : a.region > b.region ? 1 : 0));
    for (const w of ready) {
      pending.delete(`${w.region}|${w.deliveryMs}`);
      rng.shuffle(w.records);
      for (let i = 0; i < w.records.length; i += MAX_RECORDS_PER_FILE) {
        const part = w.records.slice(i, i + MAX_RECORDS_PER_FILE);
        const name = `${acct.id}_CloudTrail_${w.region}_${stamp(w.deliveryMs)}_${rng.alnum(16)}.json.gz`;
        const path = `${prefix}/CloudTrail/${w.region}/${datePath(w.deliveryMs)}/${name}`;
        let text = '{"Records":[';
        for (let j = 0; j < part.length; j++) text += (j ? ',' : '') + part[j]!.json;
        text += ']}';
        summary.logFiles++;
        summary.bytesUncompressed += text.length;
        if (w.region === home && w.deliveryMs - startMs < DAY_MS) {
          let oldest = part[0]!.timeMs;
          let newest = oldest;
          for (const r of part) {
            if (r.timeMs < oldest) oldest = r.timeMs;
            if (r.timeMs > newest) newest = r.timeMs;
          }
          const hour = Math.floor((w.deliveryMs - startMs) / HOUR_MS);
          let list = digestHours.get(hour);
          if (!list) digestHours.set(hour, (list = []));
          list.push({ s3Object: path, hashValue: createHash('sha256').update(text).digest('hex'), oldest: iso(oldest), newest: iso(newest) });
        }
        // Synchronous gzip: for many small files it costs a fraction of the thread-pool round trip.
        const gz = gzipSync(text, { level: gzipLevel });
        summary.bytesCompressed += gz.length;
        await pool.add(() => sinkOut.write(path, gz));
      }
    }
  };

  for (let d = 0; d < days; d++) {
    const dayStart = startMs + d * DAY_MS;
    const dayEnd = dayStart + DAY_MS;
    sessions.clear();
    const n = actors.length ? eventsPerDay : 0;
    // Plan the day: who acts when. Every background actor acts at least every third day.
    const who = new Int32Array(n);
    const when = new Float64Array(n);
    let c = 0;
    for (let i = 0; i < actors.length && c < n; i++) if ((i + d) % 3 === 0) who[c++] = i;
    for (let i = c; i < n; i++) who[i] = rng.pickCumulative(actorCum);
    for (let i = 0; i < n; i++) {
      const hour = human[who[i]!] ? weightedHour(rng) : rng.int(0, 23);
      when[i] = dayStart + hour * HOUR_MS + rng.int(0, 3599) * 1000;
    }
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => when[a]! - when[b]!);
    // CloudTrail occasionally delivers an event twice: the same record again in a later file.
    const dup = n > 0 ? rng.int(0, n - 1) : -1;
    let lastFlush = dayStart;
    for (const i of order) {
      const timeMs = when[i]!;
      while (si < scripted.length && scripted[si]!.timeMs <= timeMs) {
        deliver(scripted[si++]!);
        summary.plantedEvents++;
        accountEvents++;
      }
      const ai = who[i]!;
      const ev = backgroundEvent(rng, actors[ai]!, callCums[ai]!, timeMs);
      const deliveredMs = deliver(ev);
      if (i === dup) {
        const win = pending.get(`${ev.region}|${Math.ceil(deliveredMs / windowMs) * windowMs}`)!;
        place(win.records[win.records.length - 1]!, ev.region, deliveredMs + windowMs);
        summary.duplicateRecords++;
      }
      if (timeMs - lastFlush >= windowMs) {
        await flush(timeMs);
        lastFlush = timeMs;
      }
    }
    accountEvents += n;
    while (si < scripted.length && scripted[si]!.timeMs < dayEnd) {
      deliver(scripted[si++]!);
      summary.plantedEvents++;
      accountEvents++;
    }
    await flush(dayEnd);
  }
  await flush(Number.POSITIVE_INFINITY);
  summary.events += accountEvents;

  // Hourly digests for the first day in the home region (importers must skip them).
  let previous: { object: string; hash: string; signature: string } | null = null;
  for (let h = 0; h < Math.min(24, days * 24); h++) {
    const dStart = startMs + h * HOUR_MS;
    const dEnd = dStart + HOUR_MS;
    const files = digestHours.get(h) ?? [];
    const object = `${prefix}/CloudTrail-Digest/${home}/${datePath(dEnd)}/${acct.id}_CloudTrail-Digest_${home}_${acct.res.trailName}_${home}_${stamp(dEnd, true)}.json.gz`;
    const times = files.flatMap((f) => [f.oldest, f.newest]).sort();
    const digest: Record<string, unknown> = {
      awsAccountId: acct.id,
      digestStartTime: iso(dStart),
      digestEndTime: iso(dEnd),
      digestS3Bucket: bucketName,
      digestS3Object: object,
      digestPublicKeyFingerprint: rng.hex(32),
      digestSignatureAlgorithm: 'SHA256withRSA',
      newestEventTime: times.length ? times[times.length - 1] : null,
      oldestEventTime: times.length ? times[0] : null,
      previousDigestS3Bucket: previous ? bucketName : null,
      previousDigestS3Object: previous?.object ?? null,
      previousDigestHashValue: previous?.hash ?? null,
      previousDigestHashAlgorithm: previous ? 'SHA-256' : null,
      previousDigestSignature: previous?.signature ?? null,
      logFiles: files.map((f) => ({ s3Bucket: bucketName, s3Object: f.s3Object, hashValue: f.hashValue, hashAlgorithm: 'SHA-256', newestEventTime: f.newest, oldestEventTime: f.oldest })),
    };
    const text: string = JSON.stringify(digest);
    previous = { object, hash: createHash('sha256').update(text).digest('hex'), signature: rng.hex(512) };
    summary.digestFiles++;
    const gz = gzipSync(text, { level: gzipLevel });
    await pool.add(() => sinkOut.write(object, gz));
  }
  return accountEvents;
}
