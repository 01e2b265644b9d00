import type { Command } from 'commander';
// One line per command; each command lives in its own file.
import { registerImport } from './import.js';
import { registerEvents } from './events.js';
import { registerIam } from './iam.js';
import { registerIdentities } from './identities.js';
import { registerFindings } from './findings.js';
import { registerPolicy } from './policy.js';
import { registerStatus } from './status.js';
import { registerIngest } from './ingest.js';
import { registerBackfill } from './backfill.js';
import { registerGenerate } from './generate.js';
import { registerPaths } from './paths.js';
import { registerDetect } from './detect.js';
import { registerDrift } from './drift.js';
import { registerCoverage } from './coverage.js';

export const commands: Array<(program: Command) => void> = [registerGenerate, registerImport, registerEvents, (p) => registerIam(p), registerIdentities, registerFindings, registerPolicy, registerPaths, registerCoverage, registerStatus, registerIngest, registerBackfill, registerDetect, registerDrift];
