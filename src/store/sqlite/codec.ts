
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
  const h = stored.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
