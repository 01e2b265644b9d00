// Worker-thread entry of ParsePool: parses and encodes jobs off the thread that owns the store.
import { parentPort } from 'node:worker_threads';
import { chunkTransferList } from '../store/index.js';
import { runParseJob } from './parse-job.js';
import type { ParseJob } from './parse-job.js';

const port = parentPort;
if (!port) throw new Error('parse-worker must run as a worker thread');
port.on('message', (message: { id: number; job: ParseJob }) => {
  try {
    const result = runParseJob(message.job);
    port.postMessage({ id: message.id, result }, chunkTransferList(result.chunk));
  } catch (err) {
    port.postMessage({ id: message.id, error: (err as Error).stack ?? String(err) });
  }
});
