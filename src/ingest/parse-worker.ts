// Worker-thread entry of ParsePool: parses and encodes tasks off the thread that owns the store.
import { parentPort } from 'node:worker_threads';
import { runParseTask, transferOf } from './parse-task.js';
import type { ParseTask } from './parse-task.js';

const port = parentPort;
if (!port) throw new Error('parse-worker must run as a worker thread');
port.on('message', (message: { id: number; task: ParseTask }) => {
  runParseTask(message.task).then(
    (result) => {
      const transfer = transferOf(result);
      port.postMessage({ id: message.id, result: { ...result, transfer: [] } }, transfer);
    },
    (err: unknown) => port.postMessage({ id: message.id, error: (err as Error).stack ?? String(err) }),
  );
});
port.postMessage({ ready: true });
