// `trailscope import` as users run it: the compiled CLI (bin/trailscope, default rules) into a
// fresh SQLite store. The import phase runs the same code in-process from the TypeScript sources
// under tsx, whose loader thread and compiled modules add tens of MiB to the peak RSS: this
// phase measures the product's own peak RSS, wall and CPU time.
import { rmSync, statSync } from 'node:fs';
import { arg, emit } from './common.js';
import { cliFigures, runCli, storedEvents } from './cli-run.js';

const root = arg('dir');
const db = arg('db');
for (const suffix of ['', '-wal', '-shm']) rmSync(db + suffix, { force: true });
const run = await runCli(['import', root, '--db', db], { rssFile: `${db}.rss` });
emit({ phase: 'import-cli', ...cliFigures(await storedEvents(db), run), dbBytes: statSync(db).size });
