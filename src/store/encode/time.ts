/** The last time parsed: a rule and its state provider read the same event's time in turn. */
let lastIso = '';
let lastMs = NaN;

/** eventTime as integer milliseconds since the epoch. */
export function timeToMs(iso: string): number {
  if (iso === lastIso) return lastMs;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`not an ISO-8601 time: "${iso}"`);
  lastIso = iso;
  lastMs = ms;
  return ms;
}

const DAY_MS = 86_400_000;
/** Year 10000: past it toISOString writes six-digit years; those take the slow path. */
const YEAR_10000_MS = 253_402_300_800_000;

/** The last day formatted ("YYYY-MM-DDT"): the events of one chunk mostly share their day. */
let dayStartMs = NaN;
let dayText = '';

const pad2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);

function isoTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, 19)}Z` : iso;
}

/**
 * The normaliser's canonical eventTime: ISO-8601 UTC, milliseconds only when not zero. The time
 * of day is formatted by hand (Date's toISOString costs about a microsecond, and the commit hook
 * builds an event, with its time, for many of the events it commits).
 */
export function msToTime(ms: number): string {
  if (!Number.isInteger(ms) || ms < 0 || ms >= YEAR_10000_MS) return isoTime(ms);
  const start = ms - (ms % DAY_MS);
  if (start !== dayStartMs) {
    dayText = new Date(start).toISOString().slice(0, 11);
    dayStartMs = start;
  }
  let rest = ms - start;
  const milli = rest % 1000;
  rest = (rest - milli) / 1000;
  const second = rest % 60;
  rest = (rest - second) / 60;
  const minute = rest % 60;
  const clock = `${dayText}${pad2((rest - minute) / 60)}:${pad2(minute)}:${pad2(second)}`;
  if (milli === 0) return `${clock}Z`;
  return `${clock}.${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
}

export const HOUR_MS = 3_600_000;
