import type { NormalizedEvent } from '../model/index.js';
import type { Store } from '../store/index.js';
import { UseCaseError } from './errors.js';

// Kept in model so that `events` loads neither the AWS SDK nor the IAM libraries.
export { eventToJson } from '../model/index.js';

/**
 * One stored event by its eventID. The store's index is on (eventTime, eventID): with the event's
 * time the lookup is one index seek; without it, the columns alone are scanned newest first.
 */
export async function findEvent(store: Store, eventId: string, eventTime?: string): Promise<NormalizedEvent> {
  let time = eventTime;
  if (time === undefined) {
    for await (const e of store.events.iterate({ newestFirst: true, columnsOnly: true })) {
      if (e.eventID === eventId) {
        time = e.eventTime;
        break;
      }
    }
  }
  if (time !== undefined) {
    const until = new Date(Date.parse(time) + 1).toISOString();
    for await (const e of store.events.iterate({ since: time, until })) if (e.eventID === eventId) return e;
  }
  throw new UseCaseError(`no event with eventID ${eventId}${eventTime ? ` at ${eventTime}` : ''}`, 'not-found');
}
