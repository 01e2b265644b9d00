/**
 * A small, fast, seedable PRNG (sfc32) and the random helpers the generator needs.
 * Everything the generator emits comes from one of these, so a seed fully determines the output.
 */

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const UPPER_NUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const LOWER_NUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** Hashes any string into four 32-bit words (cyrb128), used to seed sfc32. */
function cyrb128(str: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < str.length; i++) {
    const k = str.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  return [(h1 ^ h2 ^ h3 ^ h4) >>> 0, (h2 ^ h1) >>> 0, (h3 ^ h1) >>> 0, (h4 ^ h1) >>> 0];
}

/** Running sums of weights, for Rng.pickCumulative. */
export function cumulative(weights: readonly number[]): Float64Array {
  const out = new Float64Array(weights.length);
  let t = 0;
  for (let i = 0; i < weights.length; i++) out[i] = t += weights[i] ?? 0;
  return out;
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: string | number) {
    [this.a, this.b, this.c, this.d] = cyrb128(String(seed));
    for (let i = 0; i < 15; i++) this.u32();
  }

  /** A new independent generator derived from this one's seed material and a label. */
  static derive(seed: string | number, label: string): Rng {
    return new Rng(`${seed}\u0000${label}`);
  }

  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.u32() / 4294967296;
  }

  /** Uniform integer in [min, max] (inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** Picks by weight; weights need not sum to 1. */
  weighted<T>(items: readonly T[], weights: readonly number[]): T {
    let total = 0;
    for (const w of weights) total += w;
    let r = this.next() * total;
    for (let i = 0; i < items.length; i++) {
      r -= weights[i] ?? 0;
      if (r < 0) return items[i] as T;
    }
    return items[items.length - 1] as T;
  }

  /** Index into a cumulative-weight table (see cumulative()), by binary search. */
  pickCumulative(cum: Float64Array): number {
    const r = this.next() * (cum[cum.length - 1] ?? 0);
    let lo = 0;
    let hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (r < cum[mid]!) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** Fisher–Yates, in place. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const tmp = items[i] as T;
      items[i] = items[j] as T;
      items[j] = tmp;
    }
    return items;
  }

  /** A random version-4 UUID, lower case, as CloudTrail eventIDs are. */
  uuid(): string {
    const a = this.u32();
    const b = this.u32();
    const c = this.u32();
    const d = this.u32();
    const bByte2 = ((b >>> 8) & 0x0f) | 0x40;
    const cByte0 = ((c >>> 24) & 0x3f) | 0x80;
    return (
      HEX[a >>> 24]! + HEX[(a >>> 16) & 255]! + HEX[(a >>> 8) & 255]! + HEX[a & 255]! + '-' +
      HEX[b >>> 24]! + HEX[(b >>> 16) & 255]! + '-' +
      HEX[bByte2]! + HEX[b & 255]! + '-' +
      HEX[cByte0]! + HEX[(c >>> 16) & 255]! + '-' +
      HEX[(c >>> 8) & 255]! + HEX[c & 255]! +
      HEX[d >>> 24]! + HEX[(d >>> 16) & 255]! + HEX[(d >>> 8) & 255]! + HEX[d & 255]!
    );
  }

  hex(len: number): string {
    let s = '';
    while (s.length < len) s += HEX[this.u32() & 255]!;
    return s.slice(0, len);
  }

  /** Mixed-case letters and digits, like CloudTrail's 16-character file suffix. */
  alnum(len: number): string {
    let s = '';
    for (let i = 0; i < len; i++) s += ALNUM[this.u32() % ALNUM.length]!;
    return s;
  }

  /** Lower-case letters and digits (organization and OU ids). */
  lowerAlnum(len: number): string {
    let s = '';
    for (let i = 0; i < len; i++) s += LOWER_NUM[this.u32() % LOWER_NUM.length]!;
    return s;
  }

  /** Upper-case base32-like, as IAM unique ids (AIDA..., AROA...) and access key ids are. */
  upper(len: number): string {
    let s = '';
    for (let i = 0; i < len; i++) s += UPPER_NUM[this.u32() % UPPER_NUM.length]!;
    return s;
  }

  digits(len: number): string {
    let s = String(this.int(1, 9));
    while (s.length < len) s += String(this.u32() % 10);
    return s;
  }
}
