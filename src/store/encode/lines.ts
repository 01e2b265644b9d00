import { brotliCompress, brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';
import type { BrotliOptions } from 'node:zlib';

/**
 * Blocks of raw records. A block holds the raw records of consecutive event rows (rowids
 * first..first+n-1), one JSON text per line (JSON.stringify never emits a raw newline), the
 * whole brotli-compressed. Reading one event decompresses its block and parses one line.
 */
export const CODEC_BROTLI_LINES = 1;
/** The same lines, not compressed: a pending block, merged and compressed once enough gather. */
export const CODEC_PLAIN_LINES = 0;

/**
 * A block is compressed when it holds at least this many events (or bytes); smaller ones
 * (CloudTrail files of a few events) wait uncompressed at the end of the table until their run
 * reaches it, then are compressed once as one block. Brotli's ratio on CloudTrail JSON roughly
 * doubles between 50 and 500 records per block.
 */
export const BLOCK_TARGET_EVENTS = 512;
export const BLOCK_TARGET_BYTES = 512 * 1024;
/**
 * Upper bounds for one block: compression gains flatten out, read amplification does not. 2 MiB
 * holds an import job's ~768 records of ~1.6 KB as one block (1 MiB cut it in two: 141 rather
 * than 127 bytes per event at quality 3).
 */
export const BLOCK_MAX_EVENTS = 1024;
export const BLOCK_MAX_BYTES = 2 << 20;

function brotliOptions(size: number): BrotliOptions {
  return {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 3,
      [constants.BROTLI_PARAM_SIZE_HINT]: size,
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
    },
  };
}

/** Compresses UTF-8 lines on the calling thread (a parse worker, see encodeChunk). */
export function compressSync(text: Uint8Array): Buffer {
  return brotliCompressSync(text, brotliOptions(text.length));
}

/** Compresses UTF-8 lines on libuv's thread pool, so the main thread goes on parsing and inserting. */
export function compressAsync(text: Uint8Array): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    brotliCompress(text, brotliOptions(text.length), (err, out) => (err ? reject(err) : resolve(out)));
  });
}

export function decompressLines(codec: number, data: Buffer): string[] {
  if (codec === CODEC_PLAIN_LINES) return data.toString('utf8').split('\n');
  if (codec !== CODEC_BROTLI_LINES) throw new Error(`raw block codec ${codec} is unknown to this trailscope; upgrade trailscope`);
  return brotliDecompressSync(data).toString('utf8').split('\n');
}
