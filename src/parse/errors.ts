/**
 * Why a whole file could not be read. Record-level problems never throw: they become
 * `rejected` entries so one bad record does not cost the rest of the file.
 */
export type ParseErrorCode =
  | 'empty'
  | 'corrupt-gzip'
  | 'too-large'
  | 'unsupported-compression'
  | 'malformed-json'
  | 'malformed-cloudtrail';

export class ParseError extends Error {
  override readonly name = 'ParseError';

  constructor(
    readonly code: ParseErrorCode,
    /** The file name or key the bytes came from. */
    readonly file: string,
    /** What is wrong, in terms an operator can check. */
    readonly reason: string,
    /** What to do about it. */
    readonly fix: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}: ${reason} (fix: ${fix})`, options);
  }
}
