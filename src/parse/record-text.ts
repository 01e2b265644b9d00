/**
 * Finds each record's own text in a CloudTrail delivery file (`{"Records":[{...},{...}]}`), so the
 * store can keep the record as written instead of serialising the parsed object again (see
 * RecordText). A scan of the text, not a parse: JSON.parse has already validated it, so only
 * strings (skipped with indexOf, escapes honoured), nesting and newlines matter.
 */
import type { RecordText } from '../model/index.js';

const DELIVERY_HEAD = /^\s*\{\s*"Records"\s*:\s*\[/;
const EVENT_ID_KEY = '"eventID"';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const NEWLINE = 0x0a;
const RETURN = 0x0d;

function isSpace(c: number): boolean {
  return c === 0x20 || c === NEWLINE || c === RETURN || c === 0x09;
}

/**
 * The text of each element of a delivery file's Records array, in order; undefined for an element
 * that is not an object on one line. Null when the file is not laid out as `{"Records":[...` with
 * nothing but objects in the array (the caller then serialises records itself).
 * `text` must be valid JSON (it was parsed): the scan does not validate it. `bytes`, when given,
 * are the file's bytes one per character of `text` (Decoded.bytes), handed on with each record.
 */
export function deliveryRecordTexts(text: string, bytes?: Uint8Array): (RecordText | undefined)[] | null {
  const head = DELIVERY_HEAD.exec(text);
  if (!head) return null;
  const out: (RecordText | undefined)[] = [];
  const n = text.length;
  let i = head[0].length;
  for (;;) {
    let c = text.charCodeAt(i);
    while (isSpace(c) || c === COMMA) c = text.charCodeAt(++i);
    if (c === CLOSE_BRACKET) return out;
    if (c !== OPEN_BRACE) return null;
    const start = i;
    let depth = 0;
    let idAt = -1;
    let oneLine = true;
    for (; i < n; i++) {
      c = text.charCodeAt(i);
      if (c === QUOTE) {
        // Strings hold no raw newline (JSON forbids it); a top-level key is a string at depth 1.
        if (depth === 1 && text.startsWith(EVENT_ID_KEY, i)) idAt = idAt === -1 ? i : -2;
        i = closingQuote(text, i);
        if (i < 0) return null;
      } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        depth++;
      } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        if (--depth === 0) break;
      } else if (c === NEWLINE || c === RETURN) {
        oneLine = false;
      }
    }
    if (depth !== 0) return null;
    i++;
    if (!oneLine) out.push(undefined);
    else if (bytes) out.push({ text, start, end: i, idAt: idAt < 0 ? -1 : idAt, bytes });
    else out.push({ text, start, end: i, idAt: idAt < 0 ? -1 : idAt });
  }
}

/** The index of the quote closing the string that opens at `open`, or -1. */
function closingQuote(text: string, open: number): number {
  let j = open;
  for (;;) {
    j = text.indexOf('"', j + 1);
    if (j < 0) return -1;
    let k = j - 1;
    while (text.charCodeAt(k) === BACKSLASH) k--;
    // An even number of backslashes before it: the quote is not escaped.
    if ((j - k) % 2 === 1) return j;
  }
}
