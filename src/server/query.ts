/** Query-parameter schemas shared by the routes: the CLI's flag names, parsed once at the edge. */
import { z } from 'zod';

const time = z.string().max(64).refine((v) => !Number.isNaN(Date.parse(v)), 'not an ISO-8601 time').transform((v) => new Date(Date.parse(v)).toISOString());
const list = z.union([z.string(), z.array(z.string())]).transform((v) => (Array.isArray(v) ? v : [v]).flatMap((x) => x.split(',')).map((x) => x.trim()).filter(Boolean));

export const q = {
  time,
  list,
  account: z.string().regex(/^\d{12}$/, 'a 12-digit AWS account id'),
  window: z.coerce.number().int().min(1).max(3650),
  arn: z.string().max(2048),
};
