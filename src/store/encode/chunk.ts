import type { NormalizedEvent } from '../../model/index.js';
import type { CommitCounters, FileRecord } from '../types.js';
import { BLOCK_MAX_BYTES, BLOCK_MAX_EVENTS, BLOCK_TARGET_BYTES, BLOCK_TARGET_EVENTS, compressSync } from './lines.js';
import { encodeRaw } from './raw.js';
import { timeToMs } from './time.js';

const EMPTY_SET = '[]';

/** The events of one file (or of no file: insertEvents) inside a chunk, in order. */
export interface ChunkPart {
  file: FileRecord | null;
  /** How many of the chunk's events, following the previous part's, belong to this part. */
  events: number;
  /** Per-account counters to bump in the same transaction, with this part's new and duplicate events. */
  counters?: CommitCounters;
}

/** Raw lines first..first+n-1 of a chunk, brotli-compressed (see ./lines.js). */
export interface EncodedBlock {
  first: number;
  n: number;
  data: Uint8Array;
}

/**
 * Events of one or more files, already encoded for a store write: column values as plain
 * arrays of strings and numbers and the compact raw records as one UTF-8 text. Everything in it
 * is cheap to pass between threads (no nested objects per event), and the expensive work
 * (serialising raw records, compressing them) is done by whoever encoded it: a parse worker
 * thread during bulk import, so the thread that owns the database only interns and inserts.
 */
export interface EncodedChunk {
  parts: ChunkPart[];
  n: number;
  eventIds: string[];
  /** eventTime in ms since the epoch. */
  times: Float64Array;
  /** JSON [eventSource, eventName]. */
  apis: string[];
  accounts: (string | null)[];
  principals: (string | null)[];
  principalAccounts: (string | null)[];
  identityTypes: (string | null)[];
  sessions: (string | null)[];
  errors: (string | null)[];
  /** JSON arrays of the event's IAM actions (strings: a store caches sets by them). */
  actions: string[];
  /** JSON arrays of the resource ARNs the request named. */
  resources: string[];
  /** The normalised fields the raw record does not imply (see encodeRaw), usually null. */
  extras: (string | null)[];
  /** The compact raw records, one per line, joined by "\n". */
  rawText: Uint8Array;
  /** n + 1 byte offsets: line i is rawText[lineStarts[i], lineStarts[i + 1] - 1). */
  lineStarts: Uint32Array;
  /**
   * rawText cut into compressed blocks, when the chunk is big enough to compress well (and the
   * encoder was asked to). A store writes them as they are when every event of the chunk is new.
   */
  blocks: EncodedBlock[] | null;
}

export interface EncodeOptions {
  /** Compress the raw text into blocks when the chunk is big enough (costly: do it off the store's thread). */
  compress?: boolean;
}

/** Encodes the events of some files for one store transaction. Pure; safe on a worker thread. */
export function encodeChunk(
  input: { file: FileRecord | null; events: readonly NormalizedEvent[]; counters?: CommitCounters }[],
  opts: EncodeOptions = {},
): EncodedChunk {
  const n = input.reduce((sum, p) => sum + p.events.length, 0);
  const chunk: EncodedChunk = {
    parts: input.map((p) => ({ file: p.file, events: p.events.length, ...(p.counters ? { counters: p.counters } : {}) })),
    n,
    eventIds: [],
    times: new Float64Array(n),
    apis: [],
    accounts: [],
    principals: [],
    principalAccounts: [],
    identityTypes: [],
    sessions: [],
    errors: [],
    actions: [],
    resources: [],
    extras: [],
    rawText: new Uint8Array(0),
    lineStarts: new Uint32Array(n + 1),
    blocks: null,
  };
  const text = new TextBuilder();
  let i = 0;
  for (const part of input) {
    for (const e of part.events) {
      chunk.eventIds.push(e.eventID);
      chunk.times[i] = timeToMs(e.eventTime);
      chunk.apis.push(JSON.stringify([e.eventSource, e.eventName]));
      chunk.accounts.push(e.recipientAccountId);
      chunk.principals.push(e.principalArn);
      chunk.principalAccounts.push(e.principalAccountId);
      chunk.identityTypes.push(e.identityType);
      chunk.sessions.push(e.sessionName);
      chunk.errors.push(e.errorCode);
      chunk.actions.push(e.actions.length ? JSON.stringify(e.actions) : EMPTY_SET);
      chunk.resources.push(e.resources.length ? JSON.stringify(e.resources) : EMPTY_SET);
      const { line, extra } = encodeRaw(e);
      chunk.extras.push(extra);
      if (i > 0) text.newline();
      chunk.lineStarts[i] = text.length;
      text.append(line);
      i++;
    }
  }
  chunk.lineStarts[n] = text.length + 1;
  chunk.rawText = text.bytes();
  if (opts.compress && (n >= BLOCK_TARGET_EVENTS || chunk.rawText.length >= BLOCK_TARGET_BYTES)) chunk.blocks = compressBlocks(chunk);
  return chunk;
}

/**
 * Appends strings as UTF-8 into one growing buffer: no joined string, no second pass to count
 * bytes (Buffer.write says how many it wrote). The result owns its ArrayBuffer, so it can be
 * transferred to another thread.
 */
class TextBuilder {
  private buffer = Buffer.allocUnsafeSlow(64 * 1024);
  length = 0;

  append(text: string): void {
    // A UTF-16 code unit never takes more than 3 bytes in UTF-8.
    this.reserve(text.length * 3);
    this.length += this.buffer.write(text, this.length, 'utf8');
  }

  newline(): void {
    this.reserve(1);
    this.buffer[this.length++] = 10;
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.length);
    out.set(this.buffer.subarray(0, this.length));
    return out;
  }

  private reserve(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return;
    const grown = Buffer.allocUnsafeSlow(Math.max(this.buffer.length * 2, this.length + bytes));
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }
}

/** Equal blocks within the per-block limits, cut on line boundaries. */
function compressBlocks(chunk: EncodedChunk): EncodedBlock[] {
  const { n, rawText, lineStarts } = chunk;
  const count = Math.max(1, Math.ceil(n / BLOCK_MAX_EVENTS), Math.ceil(rawText.length / BLOCK_MAX_BYTES));
  const per = Math.ceil(n / count);
  const blocks: EncodedBlock[] = [];
  for (let first = 0; first < n; first += per) {
    const size = Math.min(per, n - first);
    const text = rawText.subarray(lineStarts[first]!, lineStarts[first + size]! - 1);
    blocks.push({ first, n: size, data: ownedCopy(compressSync(text)) });
  }
  return blocks;
}

function ownedCopy(bytes: Buffer): Uint8Array {
  if (bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.length) return bytes;
  return new Uint8Array(bytes);
}

/** The line of event i, as bytes (a view into rawText). */
export function lineBytes(chunk: EncodedChunk, i: number): Uint8Array {
  return chunk.rawText.subarray(chunk.lineStarts[i]!, chunk.lineStarts[i + 1]! - 1);
}

/** The ArrayBuffers a chunk can hand over to another thread without copying. */
export function chunkTransferList(chunk: EncodedChunk): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>([chunk.times.buffer as ArrayBuffer, chunk.lineStarts.buffer as ArrayBuffer, chunk.rawText.buffer as ArrayBuffer]);
  for (const b of chunk.blocks ?? []) buffers.add(b.data.buffer as ArrayBuffer);
  return [...buffers];
}
