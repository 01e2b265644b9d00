import { gunzipSync } from 'node:zlib';
import { constants as bufferConstants } from 'node:buffer';
import { ParseError } from './errors.js';

export interface DecodeOptions {
  /**
   * Upper bound on the decompressed size. CloudTrail files are far smaller; the bound stops a
   * gzip bomb from taking the process down. Defaults to DEFAULT_MAX_DECODED_BYTES.
   */
  maxBytes?: number;
  /** The option that raises maxBytes, named in the error's fix (none: the fix names no option). */
  maxBytesOption?: string;
}

/**
 * 256 MiB of decompressed content per file. CloudTrail delivery files are a few MB compressed and
 * tens of MB decompressed; parsing 256 MiB of JSON already takes about 1.5 GB of heap, and V8
 * cannot hold a string much over 512 MiB at all.
 */
export const DEFAULT_MAX_DECODED_BYTES = 256 * 1024 * 1024;

export interface Decoded {
  text: string;
  gzipped: boolean;
  /** True when the bytes look binary (NUL bytes): not a text format we read. */
  binary: boolean;
  /** Decoded from UTF-16 (may hold lone surrogates, which UTF-8 cannot carry as they are). */
  utf16?: true;
  /**
   * The UTF-8 bytes `text` was decoded from, when each byte became one character (pure ASCII, or
   * a stray invalid byte turned into U+FFFD, which decoding the same byte gives again): an offset
   * into `text` is then an offset into these.
   */
  bytes?: Buffer;
}

const MAX_STRING = bufferConstants.MAX_STRING_LENGTH;
/**
 * Decoded.bytes keeps the file's bytes alive beside its text until its records are stored; past
 * this size (a file far bigger than CloudTrail delivers) they are let go and records re-encoded.
 */
const MAX_BYTES_KEPT = 32 << 20;

/**
 * Turns file bytes into text, decompressing gzip by its magic bytes (never by file name:
 * S3 objects are often served with misleading names and content encodings).
 */
export function decodeBytes(bytes: Buffer, file: string, options: DecodeOptions = {}): Decoded {
  const maxBytes = Math.min(options.maxBytes ?? DEFAULT_MAX_DECODED_BYTES, MAX_STRING);
  const tooLarge = (size: number | undefined, cause?: unknown) => tooLargeError(file, size, maxBytes, options.maxBytesOption, cause);
  let data = bytes;
  let gzipped = false;
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    gzipped = true;
    data = gunzip(bytes, file, maxBytes, tooLarge);
  } else if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) {
    throw new ParseError(
      'unsupported-compression',
      file,
      'the file is a ZIP archive, not a gzip-compressed or plain CloudTrail file',
      'unzip it and import the extracted files',
    );
  } else if (bytes.length >= 3 && bytes[0] === 0x42 && bytes[1] === 0x5a && bytes[2] === 0x68) {
    throw new ParseError(
      'unsupported-compression',
      file,
      'the file is bzip2-compressed; only gzip is read',
      'decompress it (bunzip2) or recompress it with gzip',
    );
  } else if (bytes.length > maxBytes) {
    throw tooLarge(bytes.length);
  }
  if (data.length === 0) {
    throw new ParseError(
      'empty',
      file,
      gzipped ? 'the gzip stream decompresses to nothing' : 'the file is empty',
      'check that the upload or download completed; CloudTrail never delivers empty files',
    );
  }
  // Windows PowerShell 5 redirects command output (e.g. `aws cloudtrail lookup-events > x.json`)
  // as UTF-16LE with a byte-order mark.
  if (data.length >= 2 && data[0] === 0xff && data[1] === 0xfe) {
    return { text: data.toString('utf16le', 2), gzipped, binary: false, utf16: true };
  }
  // A NUL in the first few KB means binary content; checking a prefix keeps this O(1).
  const binary = data.subarray(0, 8192).includes(0);
  let start = 0;
  if (data.length >= 3 && data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf) start = 3;
  if (binary) return { text: '', gzipped, binary };
  const text = data.toString('utf8', start);
  const oneBytePerChar = text.length === data.length - start;
  return oneBytePerChar && data.length <= MAX_BYTES_KEPT ? { text, gzipped, binary, bytes: data.subarray(start) } : { text, gzipped, binary };
}

function gunzip(bytes: Buffer, file: string, maxBytes: number, tooLarge: (size: undefined, cause: unknown) => ParseError): Buffer {
  try {
    return gunzipSync(bytes, { maxOutputLength: maxBytes });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE' || code === 'ERR_STRING_TOO_LONG') throw tooLarge(undefined, err);
    const detail = (err as Error).message;
    const truncated = code === 'Z_BUF_ERROR' || /unexpected end of file/i.test(detail);
    throw new ParseError(
      'corrupt-gzip',
      file,
      truncated
        ? `the gzip stream is truncated (${detail})`
        : `the gzip stream is corrupt (${detail}${code && code !== 'Z_DATA_ERROR' ? `, ${code}` : ''})`,
      truncated
        ? 'the file was cut short: download it again (compare its size with the S3 object) and re-import'
        : 'download the object again; if S3 holds the same bytes, the object was damaged before or during delivery',
      { cause: err },
    );
  }
}

function tooLargeError(file: string, size: number | undefined, maxBytes: number, option: string | undefined, cause?: unknown): ParseError {
  const raise = option && maxBytes < MAX_STRING ? ` or raise the limit with ${option}` : '';
  return new ParseError(
    'too-large',
    file,
    `the content is larger than the ${maxBytes}-byte limit${size === undefined ? ' once decompressed' : ` (${size} bytes)`}`,
    `CloudTrail delivery files are far smaller, so check that this is a CloudTrail file; if it is an export, split it (e.g. one event per line)${raise}`,
    cause === undefined ? undefined : { cause },
  );
}
