/**
 * What a parse thread runs (ParsePool): the files of a bulk import job, or one fetched S3 object
 * of live ingestion. Both end in a batch encoded by the store's own encoder, loaded by URL.
 */
import { loadEncoder } from '../store/index.js';
import { runParseJob } from './parse-job.js';
import type { ParseJob, ParsedJob } from './parse-job.js';
import { parseObject } from './object-parse.js';
import type { ObjectJob, ParsedObject } from './object-parse.js';

export type ParseTask = ParseJob | ObjectJob;
export type TaskResult<T extends ParseTask> = T extends ParseJob ? ParsedJob : ParsedObject;

export async function runParseTask<T extends ParseTask>(task: T): Promise<TaskResult<T>> {
  const makeEncoder = await loadEncoder(task.encoder);
  const result = task.type === 'files' ? runParseJob(task, makeEncoder) : parseObject(task, makeEncoder);
  return result as TaskResult<T>;
}

/** The buffers a result can hand to another thread without copying. */
export function transferOf(result: ParsedJob | ParsedObject): ArrayBuffer[] {
  return 'transfer' in result ? result.transfer : [];
}
