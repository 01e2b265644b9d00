/**
 * Running a store's encode step (EventStore.encoder) on the current thread: parse workers use it
 * to encode without knowing the store, tests to write encoded batches. Encoder modules are
 * imported once per thread.
 */
import type { BatchEncoder, CreateBatchEncoder, EncodedBatch, StoreEncoder, WritePart } from './types-write.js';

const modules = new Map<string, Promise<CreateBatchEncoder>>();

/** A function making fresh encoders of the store that `ref` came from. */
export async function loadEncoder(ref: StoreEncoder): Promise<() => BatchEncoder> {
  let create = modules.get(ref.module);
  if (!create) {
    create = import(ref.module).then((m: { createBatchEncoder?: CreateBatchEncoder }) => {
      if (typeof m.createBatchEncoder !== 'function') throw new Error(`${ref.module} exports no createBatchEncoder`);
      return m.createBatchEncoder;
    });
    modules.set(ref.module, create);
  }
  const make = await create;
  return () => make(ref.options);
}

/** Encodes parts into one batch with the store's encoder, on this thread. */
export async function encodeBatch(ref: StoreEncoder, parts: readonly WritePart[]): Promise<EncodedBatch> {
  const encoder = (await loadEncoder(ref))();
  for (const part of parts) encoder.add(part);
  return encoder.finish().batch;
}
