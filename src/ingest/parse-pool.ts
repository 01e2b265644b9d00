import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { runParseTask } from './parse-task.js';
import type { ParseTask, TaskResult } from './parse-task.js';

/**
 * Parse threads by default: one per core, at most 4. The main thread only interns and inserts
 * (about half the work of parsing), so it shares a core with a parser rather than keep one.
 */
export function defaultParseThreads(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

type Reply = { id: number; result: TaskResult<ParseTask> } | { id: number; error: string } | { ready: true };

interface Pending {
  task: ParseTask;
  resolve: (r: TaskResult<ParseTask>) => void;
  reject: (err: Error) => void;
}

/**
 * Parses jobs on worker threads (import's files, live ingestion's fetched objects), so reading,
 * JSON parsing, normalising and encoding overlap with the store's commits on the main thread. With 0 threads, or when a worker cannot start or
 * dies, jobs run inline: slower, never lost.
 */
export class ParsePool {
  private readonly workers: { worker: Worker; busy: Map<number, Pending>; ready: boolean }[] = [];
  private nextId = 0;
  private next = 0;
  private broken = false;
  private deaths = 0;
  private closing = false;

  private readonly limits: WorkerLimits;
  private readonly workerEntry: URL | undefined;

  constructor(
    private readonly threads: number,
    options: ParsePoolOptions = {},
  ) {
    this.limits = startableLimits(options.limits ?? WORKER_LIMITS);
    this.workerEntry = options.workerEntry;
  }

  /** Whether jobs run on worker threads (encoders compress there, so the main thread need not). */
  get parallel(): boolean {
    return this.threads > 0 && !this.broken && !this.closing;
  }

  /**
   * Runs the task on a worker thread (inline when there are none). The task is copied, not
   * transferred: should the worker die, it runs again inline from the caller's copy.
   */
  run<T extends ParseTask>(task: T): Promise<TaskResult<T>> {
    if (!this.parallel) return runParseTask(task);
    while (this.workers.length < this.threads) if (!this.start()) return this.run(task);
    // Until a worker has loaded its code (a second or more on a busy machine), tasks run here:
    // the first files of a live queue are not held back by the threads' start-up.
    const ready = this.workers.filter((w) => w.ready);
    if (ready.length === 0) return runParseTask(task);
    const slot = ready[this.next++ % ready.length]!;
    const id = this.nextId++;
    return new Promise<TaskResult<T>>((resolve, reject) => {
      slot.busy.set(id, { task, resolve: resolve as (r: TaskResult<ParseTask>) => void, reject });
      slot.worker.postMessage({ id, task });
    });
  }

  /** Starts the threads and resolves once one can take tasks (or none can start): warm-up, and tests. */
  async warmUp(): Promise<void> {
    while (this.parallel && !this.workers.some((w) => w.ready)) {
      while (this.workers.length < this.threads) if (!this.start()) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    const workers = this.workers.splice(0);
    await Promise.all(workers.map((w) => w.worker.terminate()));
  }

  private start(): boolean {
    // A closed pool starts no thread it would never terminate: what comes late runs inline.
    if (this.closing) return false;
    let worker: Worker;
    try {
      worker = createWorker(this.limits, this.workerEntry);
    } catch {
      this.broken = true;
      return false;
    }
    const slot = { worker, busy: new Map<number, Pending>(), ready: false };
    worker.on('message', (reply: Reply) => {
      if ('ready' in reply) {
        slot.ready = true;
        return;
      }
      const pending = slot.busy.get(reply.id);
      if (!pending) return;
      slot.busy.delete(reply.id);
      if ('error' in reply) pending.reject(new Error(`parse worker failed: ${reply.error}`));
      else pending.resolve(reply.result);
    });
    // A worker that dies (out of memory on a huge file, a crash) takes no job with it: what it
    // held runs inline instead, and a fresh worker takes the next jobs, up to a few times.
    let dead = false;
    const fallBack = () => {
      if (dead || this.closing) return;
      dead = true;
      if (++this.deaths >= MAX_WORKER_DEATHS) this.broken = true;
      const index = this.workers.indexOf(slot);
      if (index >= 0) this.workers.splice(index, 1);
      for (const [id, pending] of slot.busy) {
        slot.busy.delete(id);
        runParseTask(pending.task).then(pending.resolve, pending.reject);
      }
    };
    worker.on('error', fallBack);
    worker.on('exit', fallBack);
    this.workers.push(slot);
    return true;
  }
}

const MAX_WORKER_DEATHS = 3;

/**
 * A parse worker holds one job at a time and its garbage is short-lived, but a whole file's parsed
 * records live until the file is encoded, and every scavenge meanwhile copies them. A young
 * generation of 48 MB scavenges half as often as 24 MB did: on 200,000 bench events the import's
 * CPU time fell by about 15 % (17.1 to 14.5 s, with the record texts of ParsedFile), for about
 * 20-35 MiB more peak RSS (12 MB promoted the records, and old-generation collections took a
 * quarter of the worker's time; 64 MB added over 100 MiB of RSS for little more). A small old
 * generation keeps each thread's memory low. Files big enough to need more are parsed on the
 * main thread by importPaths; should one still exhaust a worker, the worker dies, its jobs are
 * parsed on the main thread (see start) and a fresh worker takes the next ones.
 */
export interface WorkerLimits {
  maxYoungGenerationSizeMb: number;
  maxOldGenerationSizeMb: number;
}

const WORKER_LIMITS: WorkerLimits = { maxYoungGenerationSizeMb: 48, maxOldGenerationSizeMb: 64 };

/**
 * The least heap a worker gets, whatever it is asked for. A worker whose heap is too small to load
 * its own code does not just die: on Node 22 V8 aborts the whole process ("Fatal JavaScript out of
 * memory: GC during deserialization"), so the fall-back to inline parsing could never run. The
 * floor leaves room for start-up (the parser, and tsx's loader when run from sources).
 */
export const MIN_WORKER_LIMITS: WorkerLimits = { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 64 };

export function startableLimits(limits: WorkerLimits): WorkerLimits {
  return {
    maxYoungGenerationSizeMb: Math.max(MIN_WORKER_LIMITS.maxYoungGenerationSizeMb, limits.maxYoungGenerationSizeMb),
    maxOldGenerationSizeMb: Math.max(MIN_WORKER_LIMITS.maxOldGenerationSizeMb, limits.maxOldGenerationSizeMb),
  };
}

export interface ParsePoolOptions {
  /** Worker heap limits; raised to MIN_WORKER_LIMITS when smaller. */
  limits?: WorkerLimits;
  /** The worker's entry module (default: parse-worker next to this module); tests point it at a failing one. */
  workerEntry?: URL;
}

/**
 * The worker's entry next to this module: the .js file when built. From sources (tests, the
 * benchmark, under tsx), a worker cannot load .ts as its entry on Node 20 (tsx's loader hooks
 * are registered too late for it), so a bootstrap registers them first, then imports it.
 */
function createWorker(limits: WorkerLimits, workerEntry: URL | undefined): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(workerEntry ?? new URL('./parse-worker.js', import.meta.url), { resourceLimits: limits });
  const entry = (workerEntry ?? new URL('./parse-worker.ts', import.meta.url)).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(bootstrap, { eval: true, execArgv: [], resourceLimits: limits });
}

/**
 * Parse workers run with small heaps (see WORKER_LIMITS): a file this big on disk (about 40 MB of
 * JSON when gzipped) may not fit, so it is parsed on the committing thread instead.
 */
export const WORKER_MAX_FILE_BYTES = 4 * 1024 * 1024;
/**
 * Decompressed size above which a file is parsed on the committing thread. A worker's heap holds
 * a file's text and its parsed records, about four times the text; a 293 KB .json.gz can hold a
 * 64 MiB record, so the size on disk alone cannot tell.
 */
export const WORKER_MAX_DECODED_BYTES = 12 * 1024 * 1024;

/** Whether bytes in memory (a fetched object) are small enough for a parse worker, gzip trailer included. */
export function fitsWorker(bytes: Uint8Array): boolean {
  if (bytes.length > WORKER_MAX_FILE_BYTES) return false;
  if (bytes.length < 18 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) return true;
  const at = bytes.length - 4;
  const decoded = (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
  return decoded <= WORKER_MAX_DECODED_BYTES;
}
