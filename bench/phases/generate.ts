// Generates the benchmark organization (about a million events, ~2,000 identities), or reuses
// one generated earlier with the same parameters.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateOrganization } from '../../src/generate/index.js';
import { arg, emit, peakRssMiB } from './common.js';

const out = arg('dir');
const params = JSON.parse(arg('params')) as Record<string, number | string>;
const marker = join(out, 'bench-params.json');
const wanted = JSON.stringify(params);
if (existsSync(marker) && readFileSync(marker, 'utf8') === wanted) {
  const cached = JSON.parse(readFileSync(join(out, 'bench-summary.json'), 'utf8')) as { events: number; identities: number };
  emit({ phase: 'generate', seconds: 0, events: cached.events, identities: cached.identities, reused: true, peakRssMiB: peakRssMiB() });
} else {
  rmSync(out, { recursive: true, force: true });
  const started = process.hrtime.bigint();
  const summary = await generateOrganization({ ...params, out });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const identities = summary.accounts.reduce((n, a) => n + a.identities, 0);
  writeFileSync(join(out, 'bench-summary.json'), JSON.stringify({ events: summary.events, identities }));
  writeFileSync(marker, wanted);
  emit({ phase: 'generate', seconds, events: summary.events, identities, reused: false, peakRssMiB: peakRssMiB() });
}
