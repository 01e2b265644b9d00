// All findings for the imported organization: IAM import (timed apart), then loadAnalysis +
// every built-in rule, the same path as `trailscope findings`.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '../../src/store/index.js';
import { readIamFile, importIamInputs } from '../../src/iam/import.js';
import { IamRepository } from '../../src/iam/repository.js';
import { loadAnalysis } from '../../src/analysis/load.js';
import { runRules } from '../../src/analysis/engine.js';
import { builtinRules } from '../../src/analysis/rules/index.js';
import { arg, emit, peakRssMiB } from './common.js';
import { cpuSeconds } from './cpu.js';
import { applyHeapSizing } from '../../src/cli/heap.js';

// as the CLI does for every command (src/cli/heap.ts)
applyHeapSizing();

const root = arg('dir');
const db = arg('db');
const store = await openStore(db);
const iamDir = join(root, 'iam');
const files = readdirSync(iamDir).map((f) => join(iamDir, f));
const scps = join(root, 'organizations', 'scps.json');
if (existsSync(scps)) files.push(scps);
// asOf = the generated window's end, so results match expected.json.
const expected = JSON.parse(readFileSync(join(root, 'expected.json'), 'utf8')) as { window: { start: string; end: string } };
const t0 = process.hrtime.bigint();
// The generated snapshots describe the configuration over the whole window: taken at its end,
// as the tests import them, so the analysis as of the end finds them in force.
await importIamInputs(await Promise.all(files.map((f) => readIamFile(f))), new IamRepository(store.iam), { takenAt: expected.window.end });
const iamSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
const steps: Record<string, number> = {};
const started = process.hrtime.bigint();
const cpu0 = cpuSeconds();
const { ctx } = await loadAnalysis(store, {
  asOf: expected.window.end,
  windowDays: 90,
  onTiming: (step, ms) => (steps[step] = Math.round(ms)),
});
const r0 = process.hrtime.bigint();
const { findings, errors } = runRules(builtinRules, ctx);
steps.rules = Math.round(Number(process.hrtime.bigint() - r0) / 1e6);
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const cpu = Math.round((cpuSeconds() - cpu0) * 100) / 100;
const stats = await store.events.stats();
await store.close();
const byRule: Record<string, number> = {};
for (const f of findings) byRule[f.rule] = (byRule[f.rule] ?? 0) + 1;
emit({
  phase: 'findings',
  seconds,
  cpuSeconds: cpu,
  events: stats.events,
  identities: ctx.identities.length,
  findings: findings.length,
  byRule,
  ruleErrors: errors.length,
  stepsMs: steps,
  iamImportSeconds: iamSeconds,
  peakRssMiB: peakRssMiB(),
});
