import { defineEventRule } from '../types.js';
import { actorOf, items, obj, params, str, succeeded, who } from './helpers.js';

/** Whether PutEventSelectors' selectors still log write management events. */
function selectorsLogWrites(p: Record<string, unknown>): boolean {
  const advanced = items(p.advancedEventSelectors);
  if (advanced.length > 0) {
    return advanced.some((s) => {
      const fields = items(obj(s)?.fieldSelectors);
      const category = fields.map(obj).find((f) => f?.field === 'eventCategory');
      if (!category || !items(category.equals).includes('Management')) return false;
      const ro = fields.map(obj).find((f) => f?.field === 'readOnly');
      return !(ro && items(ro.equals).includes('true'));
    });
  }
  const basic = items(p.eventSelectors);
  if (basic.length === 0) return true;
  return basic.some((s) => {
    const sel = obj(s);
    if (!sel) return false;
    if (sel.includeManagementEvents === false) return false;
    return sel.readWriteType !== 'ReadOnly';
  });
}

/**
 * CloudTrail stopped, deleted, or changed so it no longer records write management events. The
 * first thing an intruder does after getting in (Stratus: cloudtrail-stop, -delete,
 * -event-selectors).
 */
export const loggingDisabled = defineEventRule({
  id: 'logging-disabled',
  title: 'CloudTrail logging was disabled',
  severity: 'high',
  description:
    'A trail was stopped, deleted, or its event selectors changed so that management (write) events are no longer recorded. Activity after this point may be invisible to trailscope and to every other detection.',
  remediation:
    'Restart logging (aws cloudtrail start-logging) or restore the selectors, find out who did it and what they did next, and protect the trail with an SCP denying cloudtrail:StopLogging, DeleteTrail, UpdateTrail and PutEventSelectors outside a break-glass role.',
  references: [
    'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/best-practices-security.html',
    'https://stratus-red-team.cloud/attack-techniques/AWS/aws.defense-evasion.cloudtrail-stop/',
  ],
  attack: ['T1562.008'],
  prefilter: {
    eventSource: ['cloudtrail.amazonaws.com'],
    eventName: ['StopLogging', 'DeleteTrail', 'PutEventSelectors', 'UpdateTrail'],
  },
  input: 'full',
  match(e) {
    if (!succeeded(e)) return null;
    const p = params(e);
    const trail = str(p.name) ?? str(p.trailName) ?? null;
    let what: string;
    switch (e.eventName) {
      case 'StopLogging':
        what = 'logging stopped';
        break;
      case 'DeleteTrail':
        what = 'trail deleted';
        break;
      case 'PutEventSelectors':
        if (selectorsLogWrites(p)) return null;
        what = 'event selectors no longer record write management events';
        break;
      case 'UpdateTrail':
        // Narrowing an all-region trail to one region stops recording everywhere else.
        if (p.isMultiRegionTrail !== false) return null;
        what = 'trail narrowed to a single region';
        break;
      default:
        return null;
    }
    return { resource: actorOf(e), title: `CloudTrail logging was disabled: ${what}`, details: { ...who(e), trail, change: what } };
  },
});
