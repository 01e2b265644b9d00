import { CODEC_BROTLI_LINES, decompressLines } from '../encode/lines.js';
import type { Queryable } from './database.js';
import { decompressLine, RAW_IN_BLOCK } from './raw-codec.js';

/** Blocks kept decompressed between pages: a page in time order touches the blocks of several accounts' commits. */
const CACHED_BLOCKS = 16;

/** What an event row says about its raw record (see ./events-schema.ts). */
export interface RawRef {
  raw_codec: number;
  raw: Buffer | null;
  raw_block: number | null;
  raw_index: number | null;
}

/**
 * Reads raw records of event rows: a row of codec 1 carries its own; for codec 2 the blocks a
 * page of rows needs are fetched in one query and kept decompressed for the next pages.
 */
export class PgRawReader {
  private readonly cache = new Map<number, string[]>();

  /**
   * Fetches the blocks these rows need that are not cached yet. `db` must see the snapshot the
   * rows were read in: a block goes with its last event, so a later snapshot may have lost it.
   */
  async load(db: Queryable, rows: readonly RawRef[]): Promise<void> {
    const missing = new Set<number>();
    for (const r of rows) {
      if (r.raw_codec !== RAW_IN_BLOCK || r.raw_block === null) continue;
      const id = Number(r.raw_block);
      const lines = this.cache.get(id);
      if (lines) {
        // most recently used last
        this.cache.delete(id);
        this.cache.set(id, lines);
      } else missing.add(id);
    }
    if (missing.size === 0) return;
    const { rows: blocks } = await db.query<{ id: number; data: Buffer }>('SELECT id, data FROM raw_blocks WHERE id = ANY($1::bigint[])', [[...missing]]);
    for (const b of blocks) this.cache.set(Number(b.id), decompressLines(CODEC_BROTLI_LINES, b.data));
    while (this.cache.size > Math.max(CACHED_BLOCKS, missing.size)) this.cache.delete(this.cache.keys().next().value!);
  }

  /** The raw line of a row whose blocks were loaded. */
  line(r: RawRef): string {
    if (r.raw_codec !== RAW_IN_BLOCK) return decompressLine(r.raw_codec, r.raw!);
    const line = r.raw_block === null || r.raw_index === null ? undefined : this.cache.get(Number(r.raw_block))?.[r.raw_index];
    if (line === undefined) throw new Error(`store is inconsistent: raw record ${r.raw_index} of block ${r.raw_block} is missing`);
    return line;
  }
}
