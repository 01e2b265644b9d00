/** Query-parameter schemas shared by the routes: the CLI's flag names, parsed once at the edge. */
import { z } from 'zod';
import { DEFAULT_WINDOW_DAYS } from '../analysis/index.js';

const time = z.string().max(64).refine((v) => !Number.isNaN(Date.parse(v)), 'not an ISO-8601 time').transform((v) => new Date(Date.parse(v)).toISOString());
const list = z.union([z.string(), z.array(z.string())]).transform((v) => (Array.isArray(v) ? v : [v]).flatMap((x) => x.split(',')).map((x) => x.trim()).filter(Boolean));

export const q = {
  time,
  list,
  account: z.string().regex(/^\d{12}$/, 'a 12-digit AWS account id'),
  window: z.coerce.number().int().min(1).max(3650),
  arn: z.string().max(2048),
};

/** The analysis window of a request: `asOf` (or `as-of`, the CLI's spelling), `window`, `account`. */
export const windowQuery = z.object({ asOf: q.time.optional(), 'as-of': q.time.optional(), window: q.window.optional(), account: q.account.optional() });

/** The analysis time of a request without as-of: the current minute (so results cache). */
export function currentMinute(now = Date.now()): string {
  return new Date(now - (now % 60_000)).toISOString();
}

export function resolveWindow(p: z.infer<typeof windowQuery>, now = Date.now()): { asOf: string; windowDays: number; accountId?: string } {
  return { asOf: p.asOf ?? p['as-of'] ?? currentMinute(now), windowDays: p.window ?? DEFAULT_WINDOW_DAYS, ...(p.account ? { accountId: p.account } : {}) };
}
