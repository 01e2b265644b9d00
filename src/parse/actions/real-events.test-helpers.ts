/**
 * Loads the real CloudTrail events the action-mapping tests run against (never copied into the
 * project): panther-analysis test events, TrailDiscover examples, Stratus Red Team detonation logs.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { sharedData } from '../../../test/support/paths.js';

export interface RealEvent {
  corpus: 'panther' | 'traildiscover' | 'stratus';
  file: string;
  record: Record<string, unknown>;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function recordsOf(parsed: unknown): Record<string, unknown>[] {
  if (Array.isArray(parsed)) return parsed.filter(isRecord);
  if (isRecord(parsed) && Array.isArray(parsed.Records)) return parsed.Records.filter(isRecord);
  return isRecord(parsed) ? [parsed] : [];
}

function walk(dir: string, suffix: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, suffix, out);
    else if (name.endsWith(suffix)) out.push(path);
  }
  return out.sort();
}

let cache: RealEvent[] | undefined;

export function realEvents(): RealEvent[] {
  if (cache) return cache;
  const out: RealEvent[] = [];
  const pantherFile = sharedData('panther-analysis', 'cloudtrail_test_events.jsonl');
  for (const line of readFileSync(pantherFile, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const row = JSON.parse(line) as { event?: unknown };
    if (isRecord(row.event)) out.push({ corpus: 'panther', file: pantherFile, record: row.event });
  }
  for (const file of walk(sharedData('traildiscover', 'events'), '.json.cloudtrail')) {
    for (const record of recordsOf(JSON.parse(readFileSync(file, 'utf8')))) out.push({ corpus: 'traildiscover', file, record });
  }
  for (const file of walk(sharedData('stratus-red-team', 'detonation-logs'), '.json')) {
    for (const record of recordsOf(JSON.parse(readFileSync(file, 'utf8')))) out.push({ corpus: 'stratus', file, record });
  }
  cache = out;
  return out;
}

/** The first real event with this eventSource and eventName (and an optional extra condition). */
export function findRealEvent(
  eventSource: string,
  eventName: string,
  where: (r: Record<string, unknown>) => boolean = () => true,
): RealEvent {
  const found = realEvents().find((e) => e.record.eventSource === eventSource && e.record.eventName === eventName && where(e.record));
  if (!found) throw new Error(`no real event ${eventSource} ${eventName}`);
  return found;
}

/**
 * Other real corpora, in other delivery formats: flaws2 S3 delivery files (.json.gz), the OTRF
 * shipper-wrapped JSON lines, and plaso's lookup-events export (record in `CloudTrailEvent`).
 */
export function otherRealEvents(): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const file of walk(sharedData('flaws2-cloudtrail'), '.json.gz')) {
    out.push(...recordsOf(JSON.parse(gunzipSync(readFileSync(file)).toString('utf8'))));
  }
  for (const file of walk(sharedData('otrf-security-datasets'), '.json')) {
    for (const line of readFileSync(file, 'utf8').split('\n')) if (line.trim()) out.push(...recordsOf(JSON.parse(line)));
  }
  for (const line of readFileSync(sharedData('plaso-lookup-events', 'aws_cloudtrail.jsonl'), 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const row = JSON.parse(line) as { CloudTrailEvent?: unknown };
    if (typeof row.CloudTrailEvent === 'string') out.push(...recordsOf(JSON.parse(row.CloudTrailEvent)));
  }
  return out;
}
