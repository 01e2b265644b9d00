/** eventTime as integer milliseconds since the epoch. */
export function timeToMs(iso: string): number {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`not an ISO-8601 time: "${iso}"`);
  return ms;
}

/** The normaliser's canonical eventTime: ISO-8601 UTC, milliseconds only when not zero. */
export function msToTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, 19)}Z` : iso;
}

export const HOUR_MS = 3_600_000;
