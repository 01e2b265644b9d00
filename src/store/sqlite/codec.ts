
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * An eventID as stored: a lower-case UUID (what CloudTrail uses) becomes a 16-byte blob;
 * anything else stays text. SQLite never compares a blob equal to a text, so the two forms
 * cannot collide, and decoding gives back exactly the original string.
 */
export function encodeEventId(id: string): Buffer | string {
  return UUID.test(id) ? Buffer.from(id.replace(/-/g, ''), 'hex') : id;
}

export function decodeEventId(stored: Buffer | string): string {
  if (typeof stored === 'string') return stored;
  if (stored.length !== 16) {
    const h = stored.toString('hex');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }
  // Written into one buffer and read back as one flat string: joined from slices, an id was a
  // tree of nine strings (about 370 bytes of heap instead of 64, and four times the time), and
  // analyses hold hundreds of thousands of sampled ids.
  let o = 0;
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) idText[o++] = 0x2d;
    const pair = HEX_PAIRS[stored[i]!]!;
    idText[o++] = pair & 0xff;
    idText[o++] = pair >> 8;
  }
  return idText.toString('latin1', 0, 36);
}

const idText = Buffer.alloc(36);
/** Byte → its two lower-case hex digits, first in the low byte. */
const HEX_PAIRS = Uint16Array.from({ length: 256 }, (_, b) => {
  const digits = b.toString(16).padStart(2, '0');
  return digits.charCodeAt(0) | (digits.charCodeAt(1) << 8);
});

/**
 * events.resources as stored (see EVENTS_MIGRATIONS): the encoded chunk's JSON array text, or
 * null for no resources.
 */
export function encodeResources(json: string): string | null {
  return json === '[]' ? null : json;
}

export function decodeResources(stored: string | null): string[] {
  return stored === null ? [] : (JSON.parse(stored) as string[]);
}
