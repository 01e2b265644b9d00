import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isRealCanonicalTime } from './normalize.js';

/** The reference: what a Date round trip accepts (Date.parse rolls impossible dates over). */
function byDate(v: string): boolean {
  const ms = Date.parse(v);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 19) === v.slice(0, 19);
}

test('isRealCanonicalTime agrees with a Date round trip on every day of 14 months of leap and common years, and on the edges of the clock', () => {
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  let checked = 0;
  let real = 0;
  for (const year of [0, 1900, 1999, 2000, 2023, 2024, 2100, 2400, 9999]) {
    for (let month = 0; month <= 13; month++) {
      for (let day = 0; day <= 32; day++) {
        for (const clock of ['00:00:00', '23:59:59', '24:00:00', '12:60:00', '12:00:60', '99:99:99']) {
          const v = `${pad(year, 4)}-${pad(month)}-${pad(day)}T${clock}Z`;
          const expected = byDate(v);
          assert.equal(isRealCanonicalTime(v), expected, v);
          checked++;
          if (expected) real++;
        }
      }
    }
  }
  assert.equal(checked, 9 * 14 * 33 * 6);
  // 365 or 366 real days a year, each at 00:00:00 and 23:59:59
  assert.equal(real, 2 * (5 * 365 + 4 * 366), "years 0, 2000, 2024 and 2400 are leap years");
});
