/**
 * The API client: same-origin fetches only. When the server answers 401 the console asks for
 * the token once (TokenPrompt), keeps it in sessionStorage and sends it as a bearer token.
 */
import type { Page } from './types';

const TOKEN_KEY = 'trailscope.token';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
  /** The server has no such route (as opposed to no such item): an older server. */
  get routeMissing(): boolean {
    return this.status === 404 && this.message.startsWith('no route');
  }
}

type Listener = () => void;
const tokenListeners = new Set<Listener>();
let tokenWanted = false;

export function storedToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function setToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
  tokenWanted = false;
  tokenListeners.forEach((l) => l());
}

export function isTokenWanted(): boolean {
  return tokenWanted;
}

/** Called when the token is asked for or given (the app shows or hides the prompt, pages reload). */
export function onTokenChange(l: Listener): () => void {
  tokenListeners.add(l);
  return () => tokenListeners.delete(l);
}

async function request(method: string, path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const token = storedToken();
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}), credentials: 'same-origin' });
  if (res.status === 401) {
    if (!tokenWanted) {
      tokenWanted = true;
      tokenListeners.forEach((l) => l());
    }
    throw new ApiError(401, 'unauthorized', 'the API token is needed');
  }
  if (!res.ok) {
    let code = 'error';
    let message = `${res.status} ${res.statusText}`;
    try {
      const j = (await res.json()) as { error?: string; message?: string };
      code = j.error ?? code;
      message = j.message ?? message;
    } catch {
      // not JSON: keep the status line
    }
    throw new ApiError(res.status, code, message);
  }
  return res;
}

export async function apiGet<T>(path: string): Promise<T> {
  return (await (await request('GET', path)).json()) as T;
}

export async function apiText(path: string): Promise<string> {
  return (await request('GET', path)).text();
}

export async function apiSend<T>(method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const res = await request(method, path, body);
  const text = await res.text();
  return (text ? JSON.parse(text) : null) as T;
}

/** Every page of a list, up to `max` items (the console's tables are client-side sorted). */
export async function apiAll<T>(path: string, max = 5000): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const page: Page<T> = await apiGet<Page<T>>(`${path}${sep}limit=${Math.min(1000, max)}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    items.push(...page.items);
    cursor = page.next;
  } while (cursor && items.length < max);
  return items;
}

export function query(params: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}
