// A worker thread of generateOrganization: generates the trail files of some accounts.
import { parentPort, workerData } from 'node:worker_threads';
import { generateOrganization } from './index.js';
import type { GenerateOptions } from './index.js';

const summary = await generateOrganization(workerData as GenerateOptions);
parentPort?.postMessage(summary);
