import { lightFieldsOf, type NormalizedEvent, type RecordText } from '../../model/index.js';
import type { CommitCounters, FileRecord } from '../types.js';
import { BLOCK_MAX_BYTES, BLOCK_MAX_EVENTS, BLOCK_TARGET_BYTES, BLOCK_TARGET_EVENTS, compressAsync, compressSync } from './lines.js';
import { encodeRawPieces, pieceText, type RawPiece } from './raw.js';
import { timeToMs } from './time.js';
import { coverageMarks, type CoverageMark } from './coverage.js';

const EMPTY_SET = '[]';

/** The events of one file (or of no file: insertEvents) inside a chunk, in order. */
export interface ChunkPart {
  file: FileRecord | null;
  /** How many of the chunk's events, following the previous part's, belong to this part. */
  events: number;
  /** Per-account counters to bump in the same transaction, with this part's new and duplicate events. */
  counters?: CommitCounters;
  /** The hour buckets this part proves covered (./coverage.js), written in the same transaction. */
  coverage?: CoverageMark[];
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
  /** sourceIPAddress (the detection rules' cheapest input besides the columns). */
  sourceIps: (string | null)[];
  /** The raw userAgent, userIdentity.arn and userIdentity.sessionContext.sessionIssuer.type (model/light.ts). */
  userAgents: (string | null)[];
  userArns: (string | null)[];
  sessionIssuerTypes: (string | null)[];
  /** Events whose record these columns do not reproduce exactly (unusual shapes): rules get their full record. */
  lightIrregular: number[];
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
  const builder = new ChunkBuilder();
  for (const part of input) builder.add(part.file, part.events, part.counters);
  return builder.finish(opts);
}

/**
 * Builds a chunk file by file, so a parse worker can drop each file's parsed records as soon as
 * they are encoded instead of holding a whole job's (fewer objects survive into the old
 * generation, which is most of a worker's garbage-collection time).
 */
export class ChunkBuilder {
  private readonly parts: ChunkPart[] = [];
  private readonly columns = {
    eventIds: [] as string[],
    times: [] as number[],
    apis: [] as string[],
    accounts: [] as (string | null)[],
    principals: [] as (string | null)[],
    principalAccounts: [] as (string | null)[],
    identityTypes: [] as (string | null)[],
    sessions: [] as (string | null)[],
    errors: [] as (string | null)[],
    sourceIps: [] as (string | null)[],
    userAgents: [] as (string | null)[],
    userArns: [] as (string | null)[],
    sessionIssuerTypes: [] as (string | null)[],
    lightIrregular: [] as number[],
    actions: [] as string[],
    resources: [] as string[],
    extras: [] as (string | null)[],
  };
  private readonly lineStarts: number[] = [];
  private readonly text = new TextBuilder();

  /** Adds one part. Throws, having added nothing, when an event cannot be encoded. */
  add(file: FileRecord | null, events: readonly NormalizedEvent[], counters?: CommitCounters, texts?: readonly (RecordText | undefined)[]): void {
    const encoded = events.map((e, i) => {
      const t = timeToMs(e.eventTime);
      return { e, t, raw: encodeRawPieces(e, texts?.[i], t) };
    });
    const c = this.columns;
    for (const { e, t, raw } of encoded) {
      c.eventIds.push(e.eventID);
      c.times.push(t);
      c.apis.push(JSON.stringify([e.eventSource, e.eventName]));
      c.accounts.push(e.recipientAccountId);
      c.principals.push(e.principalArn);
      c.principalAccounts.push(e.principalAccountId);
      c.identityTypes.push(e.identityType);
      c.sessions.push(e.sessionName);
      c.errors.push(e.errorCode);
      c.sourceIps.push(e.sourceIPAddress);
      const light = lightFieldsOf(e);
      if (!light) c.lightIrregular.push(c.eventIds.length - 1);
      c.userAgents.push(light?.userAgent ?? null);
      c.userArns.push(light?.userArn ?? null);
      c.sessionIssuerTypes.push(light?.sessionIssuerType ?? null);
      c.actions.push(e.actions.length ? JSON.stringify(e.actions) : EMPTY_SET);
      c.resources.push(e.resources.length ? JSON.stringify(e.resources) : EMPTY_SET);
      c.extras.push(raw.extra);
      if (this.lineStarts.length > 0) this.text.newline();
      this.lineStarts.push(this.text.length);
      for (const piece of raw.pieces) this.text.append(piece);
    }
    const coverage = coverageMarks(file, events);
    this.parts.push({ file, events: events.length, ...(counters ? { counters } : {}), ...(coverage.length ? { coverage } : {}) });
  }

  finish(opts: EncodeOptions = {}): EncodedChunk {
    const n = this.lineStarts.length;
    const lineStarts = new Uint32Array(n + 1);
    lineStarts.set(this.lineStarts);
    lineStarts[n] = this.text.length + 1;
    const chunk: EncodedChunk = {
      parts: this.parts,
      n,
      ...this.columns,
      times: Float64Array.from(this.columns.times),
      rawText: this.text.bytes(),
      lineStarts,
      blocks: null,
    };
    if (opts.compress && worthCompressing(chunk)) chunk.blocks = compressBlocks(chunk);
    return chunk;
  }
}

/**
 * Appends the pieces of lines as UTF-8 into one growing buffer: no joined string, no second pass
 * to count bytes (Buffer.write says how many it wrote), and a run of a record's own text whose
 * file was ASCII is copied byte for byte rather than encoded again. The buffer is kept for the
 * thread's next builder (see SPARE), so it grows once, not once per chunk; `bytes()` hands out
 * a copy that owns its ArrayBuffer, so it can be transferred to another thread.
 */
class TextBuilder {
  private buffer = takeSpare();
  length = 0;

  append(piece: RawPiece): void {
    if (typeof piece !== 'string') {
      const bytes = piece.source.bytes;
      if (!bytes) return this.append(pieceText(piece));
      this.reserve(piece.end - piece.start);
      this.buffer.set(bytes.subarray(piece.start, piece.end), this.length);
      this.length += piece.end - piece.start;
      return;
    }
    // A UTF-16 code unit never takes more than 3 bytes in UTF-8.
    this.reserve(piece.length * 3);
    this.length += this.buffer.write(piece, this.length, 'utf8');
  }

  newline(): void {
    this.reserve(1);
    this.buffer[this.length++] = 10;
  }

  /** The text written, in a buffer of its own. The builder is done: its buffer goes back to the spare. */
  bytes(): Uint8Array {
    const out = new Uint8Array(this.length);
    out.set(this.buffer.subarray(0, this.length));
    giveSpare(this.buffer);
    this.buffer = EMPTY;
    return out;
  }

  private reserve(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return;
    const grown = Buffer.allocUnsafeSlow(Math.max(this.buffer.length * 2, this.length + bytes, MIN_TEXT_BUFFER));
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }
}

const MIN_TEXT_BUFFER = 64 * 1024;
/** A spare larger than this is dropped rather than kept (a huge file's chunk must not pin its memory). */
const MAX_SPARE = 16 << 20;
const EMPTY = Buffer.alloc(0);
/** One builder's buffer, free for the next builder on this thread; a builder takes it whole, so none share it. */
let SPARE: Buffer | null = null;

function takeSpare(): Buffer {
  const spare = SPARE;
  SPARE = null;
  return spare ?? Buffer.allocUnsafeSlow(MIN_TEXT_BUFFER);
}

function giveSpare(buffer: Buffer): void {
  if (buffer.length <= MAX_SPARE && buffer.length > (SPARE?.length ?? 0)) SPARE = buffer;
}

/** Whether a chunk holds enough records to compress well as it is (see BLOCK_TARGET_EVENTS). */
export function worthCompressing(chunk: EncodedChunk): boolean {
  return chunk.n >= BLOCK_TARGET_EVENTS || chunk.rawText.length >= BLOCK_TARGET_BYTES;
}

/** Equal blocks within the per-block limits, cut on line boundaries: their first line and texts. */
function blockCuts(chunk: EncodedChunk): { first: number; n: number; text: Uint8Array }[] {
  const { n, rawText, lineStarts } = chunk;
  const count = Math.max(1, Math.ceil(n / BLOCK_MAX_EVENTS), Math.ceil(rawText.length / BLOCK_MAX_BYTES));
  const per = Math.ceil(n / count);
  const cuts: { first: number; n: number; text: Uint8Array }[] = [];
  for (let first = 0; first < n; first += per) {
    const size = Math.min(per, n - first);
    cuts.push({ first, n: size, text: rawText.subarray(lineStarts[first]!, lineStarts[first + size]! - 1) });
  }
  return cuts;
}

/** The chunk's raw text as compressed blocks, whatever its size (see blockCuts). */
export function compressBlocks(chunk: EncodedChunk): EncodedBlock[] {
  return blockCuts(chunk).map((cut) => ({ first: cut.first, n: cut.n, data: ownedCopy(compressSync(cut.text)) }));
}

/**
 * The same blocks, compressed on libuv's thread pool: a store's thread compresses a group of
 * small files this way before committing it, instead of writing it plain and compacting later.
 */
export async function compressBlocksAsync(chunk: EncodedChunk): Promise<EncodedBlock[]> {
  return Promise.all(blockCuts(chunk).map(async (cut) => ({ first: cut.first, n: cut.n, data: await compressAsync(cut.text) })));
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

type ColumnName = Exclude<keyof EncodedChunk, 'parts' | 'n' | 'times' | 'rawText' | 'lineStarts' | 'blocks' | 'lightIrregular'>;
// A record, not a list, so a column added to EncodedChunk and forgotten here fails to compile:
// a merged chunk without it made every group commit fail and fall back to one file at a time.
const COLUMNS: Record<ColumnName, true> = {
  eventIds: true,
  apis: true,
  accounts: true,
  principals: true,
  principalAccounts: true,
  identityTypes: true,
  sessions: true,
  errors: true,
  sourceIps: true,
  userAgents: true,
  userArns: true,
  sessionIssuerTypes: true,
  actions: true,
  resources: true,
  extras: true,
};
const COLUMN_NAMES = Object.keys(COLUMNS) as ColumnName[];

/**
 * One chunk holding the parts of all, in order (group commit). Compressed blocks survive only
 * when every chunk has them (a store writes blocks only when all of a chunk's events are new).
 */
export function mergeChunks(chunks: readonly EncodedChunk[]): EncodedChunk {
  if (chunks.length === 1) return chunks[0]!;
  const n = chunks.reduce((sum, c) => sum + c.n, 0);
  const filled = chunks.filter((c) => c.n > 0);
  const bytes = filled.reduce((sum, c) => sum + c.rawText.length, 0) + Math.max(0, filled.length - 1);
  const times = new Float64Array(n);
  const lineStarts = new Uint32Array(n + 1);
  const rawText = new Uint8Array(bytes);
  const columns = Object.fromEntries(COLUMN_NAMES.map((name) => [name, [] as unknown[]])) as unknown as Pick<EncodedChunk, ColumnName>;
  const blocks: EncodedBlock[] | null = chunks.every((c) => c.blocks || c.n === 0) ? [] : null;
  const lightIrregular: number[] = [];
  let at = 0;
  let offset = 0;
  for (const c of filled) {
    if (offset > 0) rawText[offset - 1] = 10;
    times.set(c.times, at);
    rawText.set(c.rawText, offset);
    for (let i = 0; i < c.n; i++) lineStarts[at + i] = c.lineStarts[i]! + offset;
    for (const name of COLUMN_NAMES) {
      const into = columns[name] as unknown[];
      for (const value of c[name]) into.push(value);
    }
    for (const i of c.lightIrregular) lightIrregular.push(i + at);
    for (const b of c.blocks ?? []) blocks?.push({ ...b, first: b.first + at });
    at += c.n;
    offset += c.rawText.length + 1;
  }
  lineStarts[n] = rawText.length + 1;
  return { parts: chunks.flatMap((c) => c.parts), n, ...columns, lightIrregular, times, rawText, lineStarts, blocks };
}
