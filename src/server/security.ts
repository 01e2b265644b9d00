/**
 * What every response and request goes through: the bearer token (required when bound beyond
 * loopback), security headers, and JSON errors without stack traces.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ZodError } from 'zod';
import { UseCaseError } from '../app/index.js';

export const SECURITY_HEADERS: Record<string, string> = {
  // No inline script anywhere: the console is one bundled script file.
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'cache-control': 'no-store',
};

/** Loopback addresses: the only ones the API may listen on without a token. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function registerSecurity(app: FastifyInstance, token: string | undefined): void {
  app.addHook('onSend', async (_req, reply, payload) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) reply.header(k, v);
    return payload;
  });
  if (token) {
    app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
      if (!req.url.startsWith('/api/')) return;
      const header = req.headers.authorization ?? '';
      const m = /^Bearer (.+)$/.exec(header);
      if (!m || !sameToken(m[1]!, token)) {
        await reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'unauthorized', message: 'send the API token as Authorization: Bearer <token>' });
      }
    });
  }
  app.setNotFoundHandler((req, reply) => {
    void reply.code(404).send({ error: 'not-found', message: `no route ${req.method} ${req.url.split('?')[0]}` });
  });
  app.setErrorHandler((err, _req, reply) => {
    if (err instanceof ZodError) {
      const message = err.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ');
      return reply.code(400).send({ error: 'invalid-input', message });
    }
    if (err instanceof UseCaseError) return reply.code(err.kind === 'not-found' ? 404 : 400).send({ error: err.kind, message: err.message });
    const status = (err as { statusCode?: number }).statusCode;
    if (status && status >= 400 && status < 600 && status !== 500) return reply.code(status).send({ error: status >= 500 ? 'unavailable' : 'bad-request', message: (err as Error).message });
    reply.log.error(err);
    return reply.code(500).send({ error: 'internal', message: 'internal error; see the server log' });
  });
}
