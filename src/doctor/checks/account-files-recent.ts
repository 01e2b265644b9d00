import { defineCheck } from '../types.js';
import type { DoctorContext } from '../context.js';
import { organizationOf } from './organization-accounts.js';

/** The accounts the connector should deliver: its account, or the organization's active ones when known. */
async function expectedAccounts(ctx: DoctorContext): Promise<string[] | undefined> {
  if (ctx.connector.accountId) return [ctx.connector.accountId];
  if (ctx.connector.type !== 'organization') return undefined;
  const org = await organizationOf(ctx).catch(() => undefined);
  return org?.active.map((a) => a.Id ?? '').filter(Boolean);
}

export const accountFilesRecent = defineCheck({
  id: 'account-files-recent',
  title: 'Every account had a file ingested in the last day',
  why: 'Inactivity and unused-permission findings are judged only on covered days: an account whose files stopped reaching the store loses its coverage, quietly, one day at a time.',
  skipWhen: (ctx) => (ctx.store ? undefined : 'no store was given'),
  async run(ctx) {
    const regions = await ctx.store!.coverage.regions(ctx.connector.accountId ? { accountId: ctx.connector.accountId } : {});
    const last = new Map<string, number>();
    for (const r of regions) last.set(r.accountId, Math.max(last.get(r.accountId) ?? 0, Date.parse(r.last)));
    const expected = await expectedAccounts(ctx);
    const accounts = [...new Set([...(expected ?? []), ...(expected ? [] : last.keys())])].sort();
    const now = ctx.now().getTime();
    const cutoff = now - ctx.thresholds.accountSilentMs;
    const silent = accounts.filter((a) => (last.get(a) ?? 0) < cutoff);
    const details = {
      accounts: accounts.length,
      silent: silent.map((a) => ({ accountId: a, lastFile: last.has(a) ? new Date(last.get(a)!).toISOString() : null })),
      basis: expected ? 'expected accounts' : 'accounts in the store',
    };
    if (accounts.length === 0) {
      return { status: 'warn', found: 'the store holds no CloudTrail file of this connector yet', fix: `trailscope backfill --connector ${ctx.connector.name} --days 7, then keep trailscope ingest running`, details };
    }
    if (silent.length) {
      const since = new Date(Math.min(...silent.map((a) => last.get(a) ?? cutoff))).toISOString();
      return {
        status: 'warn',
        found: `${silent.length} of ${accounts.length} accounts have no file in the store from the last ${Math.round(ctx.thresholds.accountSilentMs / 3_600_000)} h: ${details.silent.map((s) => `${s.accountId} (last ${s.lastFile ?? 'never'})`).join(', ')}`,
        fix: `check that trailscope ingest runs for this connector (trailscope status), then fill the hole: trailscope backfill --connector ${ctx.connector.name} --since ${since}${silent.length <= 5 ? ` --account ${silent.join(',')}` : ''}`,
        details,
      };
    }
    return { status: 'pass', found: `all ${accounts.length} accounts have a file in the store from the last ${Math.round(ctx.thresholds.accountSilentMs / 3_600_000)} h`, details };
  },
});
