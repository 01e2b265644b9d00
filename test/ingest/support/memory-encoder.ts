/**
 * The memory store's encode step (see memory-store.ts): the parts as they are, plain data that
 * crosses threads by structured clone. Imported by URL, like a real store's encoder.
 */
import type { BatchEncoder, EncodedBatch, WritePart } from '../../../src/store/index.js';

export const MEMORY_FORMAT = 'memory/1';

export interface MemoryBatch extends EncodedBatch {
  items: WritePart[];
}

export function createBatchEncoder(): BatchEncoder {
  const items: WritePart[] = [];
  return {
    add(part: WritePart) {
      items.push(part);
    },
    finish() {
      const batch: MemoryBatch = { format: MEMORY_FORMAT, parts: items.length, items };
      return { batch, transfer: [] };
    },
  };
}
