import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { msToTime, timeToMs } from './time.js';

/** What msToTime gave before its fast path: toISOString, without ".000" (seconds precision). */
function expected(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, 19)}Z` : iso;
}

describe('msToTime', () => {
  it('formats as toISOString does, milliseconds only when not zero, across days and edges', () => {
    const samples = [0, 1, 999, 1000, 59_999, 3_599_999, 86_399_999, 86_400_000, timeToMs('2026-05-01T23:59:59.999Z'), timeToMs('2024-02-29T12:00:00.050Z'), 253_402_300_799_999];
    // A walk over several days in uneven steps, back and forth between days (the day cache).
    for (let ms = timeToMs('2026-12-30T22:00:00Z'), i = 0; i < 5000; i++, ms += 37_003 + (i % 7) * 1_000_001) samples.push(ms, ms - 86_400_000 * 3);
    for (const ms of samples) assert.equal(msToTime(ms), expected(ms), String(ms));
  });

  it('gives what it gave before for times before 1970 and after year 9999', () => {
    for (const ms of [-1, -86_400_001, 253_402_300_800_000, 8.64e15]) assert.equal(msToTime(ms), expected(ms));
  });

  it('round-trips with timeToMs', () => {
    for (const t of ['2026-01-01T00:00:00Z', '2026-01-01T00:00:00.250Z', '2026-06-30T09:05:07.007Z']) assert.equal(msToTime(timeToMs(t)), t);
  });
});
