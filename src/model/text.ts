/**
 * Text that reaches a terminal. CloudTrail fields (user agents, session names, request
 * parameters, S3 keys) are written by whoever made the call, so an attacker can put terminal
 * escape sequences (`ESC ]0;title BEL`, `ESC [2J`), line breaks that forge output lines, or bidi
 * overrides that make text read differently than it is. Every human-readable output passes data
 * through `escapeForTerminal`; JSON, CSV and SARIF keep the exact value.
 */

// C0 controls (tab and newline included: inside a value they forge columns and lines), DEL,
// C1 controls, and the invisible or direction-changing format characters.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]/g;

function escapeChar(c: string): string {
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
}

/** The value with every control, C1, invisible and bidi character shown as `\xNN` or `\u{NNNN}`. */
export function escapeForTerminal(value: unknown): string {
  const s = value === null || value === undefined ? '' : String(value);
  return s.replace(UNSAFE, escapeChar);
}

/**
 * Shortens text to at most `max` characters by cutting its middle ("arn:aws:iam::1111…/deploy"),
 * where an ARN's account and name both stay readable. Only for display: never for JSON, CSV or SARIF.
 */
export function shortenMiddle(s: string, max: number): string {
  const chars = Array.from(s);
  if (chars.length <= max) return s;
  if (max <= 1) return '…'.slice(0, max);
  const keep = max - 1;
  const head = Math.ceil(keep / 2);
  return chars.slice(0, head).join('') + '…' + chars.slice(chars.length - (keep - head)).join('');
}

/** One line of human output: the text escaped as a whole (a newline inside it cannot forge a second line), then '\n'. */
export function terminalLine(text: string): string {
  return escapeForTerminal(text) + '\n';
}
