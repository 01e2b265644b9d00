import type { AdvancedEventSelector } from '@aws-sdk/client-cloudtrail';
import { defineCheck } from '../types.js';

interface Coverage {
  read: boolean;
  write: boolean;
  /** Event sources left out of the management events (e.g. kms.amazonaws.com). */
  excluded: string[];
}

function field(sel: AdvancedEventSelector, name: string) {
  return sel.FieldSelectors?.find((f) => f.Field === name);
}

/** Advanced selectors: a selector on eventCategory = Management, read/write by its readOnly field. */
export function advancedCoverage(selectors: AdvancedEventSelector[]): Coverage {
  const out: Coverage = { read: false, write: false, excluded: [] };
  for (const sel of selectors) {
    if (!field(sel, 'eventCategory')?.Equals?.includes('Management')) continue;
    const ro = field(sel, 'readOnly')?.Equals ?? [];
    if (ro.length === 0 || ro.includes('true')) out.read = true;
    if (ro.length === 0 || ro.includes('false')) out.write = true;
    out.excluded.push(...(field(sel, 'eventSource')?.NotEquals ?? []));
  }
  return out;
}

const ALL_MANAGEMENT = JSON.stringify([{ Name: 'Management events', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] }]);
const BASIC_ALL = JSON.stringify([{ ReadWriteType: 'All', IncludeManagementEvents: true }]);

export const managementEvents = defineCheck({
  id: 'management-events',
  title: 'Management events, read and write, are recorded',
  why: 'Unused-permission and inactivity findings count reads as activity: a write-only trail makes every read-only identity look unused, and a read-only one hides every change.',
  async run(ctx) {
    const found = await ctx.trail();
    if (!found) return { status: 'skip', found: 'no trail delivers to the bucket (see trail-configured)' };
    const name = found.trail.TrailARN ?? found.trail.Name ?? '';
    const res = await ctx.eventSelectors(found.trail);
    let cov: Coverage;
    let fix: string;
    if (res.AdvancedEventSelectors?.length) {
      cov = advancedCoverage(res.AdvancedEventSelectors);
      // put-event-selectors replaces the whole set: keep the data-event selectors already there.
      fix = `aws cloudtrail put-event-selectors --trail-name ${name} --advanced-event-selectors '${ALL_MANAGEMENT}' (add the trail's existing data-event selectors to that list: the call replaces them all)`;
    } else {
      cov = { read: false, write: false, excluded: [] };
      for (const s of res.EventSelectors ?? []) {
        if (s.IncludeManagementEvents === false) continue;
        const rw = s.ReadWriteType ?? 'All';
        if (rw === 'All' || rw === 'ReadOnly') cov.read = true;
        if (rw === 'All' || rw === 'WriteOnly') cov.write = true;
        cov.excluded.push(...(s.ExcludeManagementEventSources ?? []));
      }
      fix = `aws cloudtrail put-event-selectors --trail-name ${name} --event-selectors '${BASIC_ALL}' (keep the trail's DataResources in that selector: the call replaces them all)`;
    }
    const details = { read: cov.read, write: cov.write, excludedSources: cov.excluded, advanced: Boolean(res.AdvancedEventSelectors?.length) };
    if (!cov.read || !cov.write) {
      const has = cov.read ? 'read-only' : cov.write ? 'write-only' : 'no';
      return { status: 'fail', found: `trail ${name} records ${has} management events`, fix, details };
    }
    if (cov.excluded.length) {
      return {
        status: 'warn',
        found: `trail ${name} records management events except those of ${cov.excluded.join(', ')}: activity against those services is invisible`,
        fix,
        details,
      };
    }
    return { status: 'pass', found: `trail ${name} records read and write management events of every service`, details };
  },
});
