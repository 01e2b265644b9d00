import type { NormalizedEvent } from '../model/index.js';

/** The JSON shape of one event: CloudTrail's own field names, plus principalArn and actions. */
export function eventToJson(e: NormalizedEvent, withRaw: boolean): Record<string, unknown> {
  const { raw, ...fields } = e;
  return withRaw ? { ...fields, raw } : fields;
}
