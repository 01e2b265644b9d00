/**
 * The web console: the files Vite built into web/dist, served by the API's own process. Paths
 * that name no file get index.html when a browser asks for a page (the console's routes), and
 * the API's JSON 404 otherwise, so /api typos stay machine-readable.
 */
import { readFile, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';

/** web/dist from both src/server (tsx) and dist/server (built): the same depth below the root. */
export const DEFAULT_CONSOLE_DIR = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..', 'web', 'dist');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

function wantsPage(req: FastifyRequest): boolean {
  return /\btext\/html\b/.test(String(req.headers.accept ?? ''));
}

/** The file under `root` a URL path names, or undefined (outside root, hidden, or not a file). */
async function fileFor(root: string, urlPath: string): Promise<string | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.split('/').some((p) => p.startsWith('.'))) return undefined;
  const file = resolve(root, `.${decoded}`);
  if (file !== root && !file.startsWith(root + sep)) return undefined;
  try {
    return (await stat(file)).isFile() ? file : undefined;
  } catch {
    return undefined;
  }
}

async function sendFile(reply: FastifyReply, file: string): Promise<FastifyReply> {
  return reply.type(TYPES[extname(file)] ?? 'application/octet-stream').send(await readFile(file));
}

export function consoleRoutes(dir: string = DEFAULT_CONSOLE_DIR): FastifyPluginAsync {
  const root = resolve(dir);
  return async (app) => {
    app.get('/*', async (req, reply) => {
      const path = req.url.split('?')[0]!;
      if (path.startsWith('/api/') || path === '/api') return reply.callNotFound();
      const index = join(root, 'index.html');
      if (!existsSync(index)) {
        if (!wantsPage(req)) return reply.callNotFound();
        return reply.code(503).type('text/plain; charset=utf-8').send('The web console is not built: run `npm run build` (it runs `vite build` into web/dist), then reload.\n');
      }
      const file = path === '/' ? index : await fileFor(root, path);
      if (file) return sendFile(reply, file);
      // A console route (history API or a bookmarked URL): the app decides what to show.
      if (wantsPage(req) && !extname(path)) return sendFile(reply, index);
      return reply.callNotFound();
    });
  };
}
