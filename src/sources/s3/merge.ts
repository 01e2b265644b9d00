/**
 * Runs up to `concurrency` async iterables at once and yields their items as they come.
 * Each running iterable has at most one item waiting, so memory stays bounded by the
 * consumer's pace. Sources are started lazily from `sources`, in order.
 */
export async function* mergeAsync<T>(sources: Iterable<AsyncIterable<T>> | AsyncIterable<AsyncIterable<T>>, concurrency: number): AsyncGenerator<T> {
  const limit = Math.max(1, concurrency);
  const pending = new Map<number, Promise<{ id: number; r: IteratorResult<T> }>>();
  const iterators = new Map<number, AsyncIterator<T>>();
  const feed = Symbol.asyncIterator in sources ? (sources as AsyncIterable<AsyncIterable<T>>)[Symbol.asyncIterator]() : toAsync((sources as Iterable<AsyncIterable<T>>)[Symbol.iterator]());
  let nextId = 0;
  let feedDone = false;

  const pull = (id: number) => {
    const it = iterators.get(id) as AsyncIterator<T>;
    pending.set(
      id,
      it.next().then((r) => ({ id, r })),
    );
  };
  const fill = async () => {
    while (!feedDone && iterators.size < limit) {
      const s = await feed.next();
      if (s.done) {
        feedDone = true;
        break;
      }
      const id = nextId++;
      iterators.set(id, s.value[Symbol.asyncIterator]());
      pull(id);
    }
  };

  try {
    await fill();
    while (pending.size > 0) {
      const { id, r } = await Promise.race(pending.values());
      if (r.done) {
        pending.delete(id);
        iterators.delete(id);
        await fill();
        continue;
      }
      pull(id);
      yield r.value;
    }
  } finally {
    // Stop the sources still running (consumer broke off or one of them threw).
    const open = [...iterators.values()];
    iterators.clear();
    // A pulled-but-unconsumed next() may still reject; swallow it.
    for (const p of pending.values()) p.catch(() => undefined);
    await Promise.allSettled(open.map((it) => it.return?.()));
    await feed.return?.();
  }
}

function toAsync<T>(it: Iterator<T>): AsyncIterator<T> {
  return {
    next: async () => it.next(),
    return: async () => it.return?.() ?? { done: true, value: undefined },
  };
}
