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

/** The last day formatted ("YYYY-MM-DDT", in timeText's first 11 bytes): the events of one chunk mostly share their day. */
let dayStartMs = NaN;
/** Where msToTime writes a time before reading it back as one flat string. */
const timeText = Buffer.alloc(24);

function isoTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, 19)}Z` : iso;
}

/**
 * The normaliser's canonical eventTime: ISO-8601 UTC, milliseconds only when not zero. The time
 * of day is written digit by digit into a buffer read back as one string: Date's toISOString
 * costs about a microsecond, and a time joined from parts is a tree of strings (about 290 bytes
 * of heap instead of 48) that the commit hook and the analyses build by the hundred thousand.
 */
export function msToTime(ms: number): string {
  if (!Number.isInteger(ms) || ms < 0 || ms >= YEAR_10000_MS) return isoTime(ms);
  const start = ms - (ms % DAY_MS);
  if (start !== dayStartMs) {
    timeText.write(new Date(start).toISOString().slice(0, 11), 0, 'latin1');
    dayStartMs = start;
  }
  let rest = ms - start;
  const milli = rest % 1000;
  rest = (rest - milli) / 1000;
  const second = rest % 60;
  rest = (rest - second) / 60;
  const minute = rest % 60;
  const hour = (rest - minute) / 60;
  twoDigits(11, hour);
  timeText[13] = COLON;
  twoDigits(14, minute);
  timeText[16] = COLON;
  twoDigits(17, second);
  if (milli === 0) {
    timeText[19] = ZED;
    return timeText.toString('latin1', 0, 20);
  }
  timeText[19] = DOT;
  timeText[20] = ZERO + Math.floor(milli / 100);
  twoDigits(21, milli % 100);
  timeText[23] = ZED;
  return timeText.toString('latin1', 0, 24);
}

const ZERO = 0x30;
const COLON = 0x3a;
const DOT = 0x2e;
const ZED = 0x5a;

function twoDigits(at: number, n: number): void {
  timeText[at] = ZERO + Math.floor(n / 10);
  timeText[at + 1] = ZERO + (n % 10);
}

export const HOUR_MS = 3_600_000;
