/** `|cidr`: whether an address (IPv4 or IPv6) lies in a range. CloudTrail's sourceIPAddress may also be a service name. */

function ipv4(text: string): bigint | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let n = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return null;
    n = (n << 8n) | BigInt(Number(p));
  }
  return n;
}

function ipv6(text: string): bigint | null {
  let s = text;
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hex groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4) {
    const n = ipv4(v4[1]!);
    if (n === null) return null;
    s = s.slice(0, -v4[1]!.length) + `${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  let n = 0n;
  for (const g of groups) {
    if (!/^[0-9a-f]{1,4}$/i.test(g)) return null;
    n = (n << 16n) | BigInt(parseInt(g, 16));
  }
  return n;
}

function parse(text: string): { bits: 32 | 128; value: bigint } | null {
  const t = text.trim();
  const four = ipv4(t);
  if (four !== null) return { bits: 32, value: four };
  const six = t.includes(':') ? ipv6(t) : null;
  return six !== null ? { bits: 128, value: six } : null;
}

/** A test for addresses in `range` (a.b.c.d/n or an IPv6 prefix), or null when range is not one. */
export function cidrMatcher(range: string): ((address: string) => boolean) | null {
  const [addr, len, extra] = range.split('/');
  if (extra !== undefined || addr === undefined) return null;
  const base = parse(addr);
  if (!base) return null;
  const prefix = len === undefined ? base.bits : /^\d{1,3}$/.test(len) ? Number(len) : NaN;
  if (!(prefix >= 0 && prefix <= base.bits)) return null;
  const shift = BigInt(base.bits - prefix);
  const want = base.value >> shift;
  return (address) => {
    const a = parse(address);
    return a !== null && a.bits === base.bits && a.value >> shift === want;
  };
}
