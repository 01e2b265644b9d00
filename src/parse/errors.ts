/**
 * Why a whole file could not be read. Record-level problems never throw: they become
 * `rejected` entries so one bad record does not cost the rest of the file.
 */
import { printable } from './fields.js';

export type ParseErrorCode =
  | 'empty'
  | 'corrupt-gzip'
  | 'too-large'
  | 'unsupported-compression'
  | 'malformed-json'
  | 'malformed-cloudtrail'
  | 'too-many-rejected';

export class ParseError extends Error {
  override readonly name = 'ParseError';
  /** What is wrong, in terms an operator can check. Quoted content is made printable. */
  readonly reason: string;

  constructor(
    readonly code: ParseErrorCode,
    /** The file name or key the bytes came from. */
    readonly file: string,
    reason: string,
    /** What to do about it. */
    readonly fix: string,
    options?: { cause?: unknown },
  ) {
    const safe = printable(reason);
    super(`${printable(file, 1000)}: ${safe} (fix: ${fix})`, options);
    this.reason = safe;
  }
}
