/** /api/events: stored events in the shape of `trailscope events --json`, oldest first, keyset-paged. */
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { eventToJson, findEvent } from '../../app/index.js';
import type { EventQuery } from '../../store/index.js';
import type { ServerContext } from '../context.js';
import { decodeCursor, encodeCursor, pageQuery } from '../pagination.js';
import { q } from '../query.js';

const listQuery = pageQuery.extend({
  since: q.time.optional(),
  until: q.time.optional(),
  account: q.account.optional(),
  principal: q.arn.optional(),
  action: z.string().regex(/^[a-z0-9-]+:[A-Za-z0-9*]+$/, 'service:Action, e.g. s3:GetObject').optional(),
  errors: z.enum(['true', 'false']).optional(),
  raw: z.enum(['true', 'false']).optional(),
});

export function eventsRoutes(ctx: ServerContext): FastifyPluginAsync {
  return async (app) => {
    app.get('/api/events', async (req) => {
      const p = listQuery.parse(req.query);
      // The cursor is the (eventTime, eventID) of the last event served: the next page starts at
      // that time and skips up to and including that event, in the store's own order.
      const after = decodeCursor(p.cursor) as [string, string] | undefined;
      const query: EventQuery = {
        ...(after ? { since: after[0] } : p.since ? { since: p.since } : {}),
        ...(p.until ? { until: p.until } : {}),
        ...(p.account ? { recipientAccountId: p.account } : {}),
        ...(p.principal ? { principalArn: p.principal } : {}),
        ...(p.action ? { action: p.action } : {}),
        errorsOnly: p.errors === 'true',
      };
      const items: Record<string, unknown>[] = [];
      let skipping = after !== undefined;
      let more = false;
      let last: [string, string] | undefined;
      for await (const e of ctx.store.events.iterate(query)) {
        if (skipping) {
          if (e.eventTime === after![0] && e.eventID !== after![1]) continue;
          skipping = false;
          if (e.eventID === after![1]) continue;
        }
        if (items.length === p.limit) {
          more = true;
          break;
        }
        items.push(eventToJson(e, p.raw === 'true'));
        last = [e.eventTime, e.eventID];
      }
      return { items, next: more && last ? encodeCursor(last) : null };
    });

    // One event with its raw record; `time` (its eventTime, as every list gives it) makes the lookup an index seek.
    app.get('/api/events/:eventId', async (req) => {
      const { eventId } = z.object({ eventId: z.string().min(1).max(256) }).parse(req.params);
      const { time } = z.object({ time: q.time.optional() }).parse(req.query);
      return eventToJson(await findEvent(ctx.store, eventId, time), true);
    });
  };
}
