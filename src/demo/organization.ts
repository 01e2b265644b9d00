/**
 * The demo's organization: `trailscope generate` into memory, with a window that ends at the
 * current time (to the 5 minutes) rather than the generator's fixed default end.
 *
 * Why "now": `serve` analyses as of now, and so does every page of the console (last delivery,
 * lag, activity per day, inactivity). Data that ended months ago would show every identity as
 * inactive and every account as not delivering; data that ends now reads like a live
 * organization. The same seed still gives the same organization (accounts, identities, planted
 * cases); only the timestamps move with the clock.
 */
import { generateOrganization, memorySink } from '../generate/index.js';
import type { GenerateSummary } from '../generate/index.js';
import { classifyKey } from '../parse/index.js';

export interface DemoScale {
  accounts: number;
  /** The activity rules judge an account only with at least a week of logs: keep this ≥ 8. */
  days: number;
  eventsPerDay: number;
  /** Minutes per delivery file: more than CloudTrail's 5, since the cost of a demo is per file (a PUT, a notification, a GET). */
  deliveryMinutes: number;
}

export const DEMO_SCALE: DemoScale = { accounts: 3, days: 8, eventsPerDay: 1000, deliveryMinutes: 60 };

export interface TrailFile {
  key: string;
  body: Uint8Array;
  kind: 'events' | 'digest';
  /** Delivery time from the file name (ISO), for sending files in the order CloudTrail wrote them. */
  deliveredAt: string;
}

export interface DemoOrganization {
  summary: GenerateSummary;
  /** Log and digest files, in delivery order. */
  files: TrailFile[];
  /** iam/*.json, iam/*.csv and organizations/scps.json, by path. */
  iamFiles: Map<string, string>;
}

const FIVE_MINUTES = 5 * 60_000;
const DELIVERY_TIME = /_(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})?Z(?:_[A-Za-z0-9]+)?\.json\.gz$/;

export async function generateDemoOrganization(seed: string, scale: DemoScale, now: Date): Promise<DemoOrganization> {
  const end = Math.floor(now.getTime() / FIVE_MINUTES) * FIVE_MINUTES;
  const start = new Date(end - scale.days * 86_400_000).toISOString();
  const sink = memorySink();
  const summary = await generateOrganization(
    { seed, start, accounts: scale.accounts, days: scale.days, eventsPerDay: scale.eventsPerDay, deliveryMinutes: scale.deliveryMinutes },
    sink,
  );
  const files: TrailFile[] = [];
  const iamFiles = new Map<string, string>();
  for (const [path, data] of sink.files) {
    if (path.startsWith('iam/') || path.startsWith('organizations/')) {
      iamFiles.set(path, typeof data === 'string' ? data : Buffer.from(data).toString('utf8'));
      continue;
    }
    const kind = classifyKey(path).kind;
    if (kind !== 'events' && kind !== 'digest') continue; // expected.json: the answers, not trail data
    files.push({ key: path, body: typeof data === 'string' ? Buffer.from(data) : data, kind, deliveredAt: deliveryTime(path) });
  }
  files.sort((a, b) => (a.deliveredAt < b.deliveredAt ? -1 : a.deliveredAt > b.deliveredAt ? 1 : a.key < b.key ? -1 : 1));
  return { summary, files, iamFiles };
}

/** The delivery time a CloudTrail file name carries (…_YYYYMMDDTHHmm[ss]Z[_unique].json.gz), as ISO; '' if none. */
export function deliveryTime(key: string): string {
  const m = DELIVERY_TIME.exec(key);
  if (!m) return '';
  const [, y, mo, d, h, mi, s] = m;
  return `${y}-${mo}-${d}T${h}:${mi}:${s ?? '00'}Z`;
}
