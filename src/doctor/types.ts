/**
 * The doctor contract (Prowler's shape): one check per file in checks/, its metadata beside a
 * `run(ctx)`. The engine runs the checks in order against one connector and turns what each
 * one saw into a CheckResult. Check ids are public (README "Doctor checks"): never rename one.
 */
import type { DoctorContext } from './context.js';

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

export type CheckMeta = {
  /** Public, kebab-case. */
  id: string;
  title: string;
  /** Why the check matters for ingestion, shown with every result. */
  why: string;
};

/** What a check saw: the engine adds the metadata. */
export type CheckOutcome = {
  status: CheckStatus;
  /** What was found, in one or two sentences naming the resource. */
  found: string;
  /** The exact policy statement JSON to add, or the CLI command to run. */
  fix?: string;
  details?: Record<string, unknown>;
};

// Type aliases, not interfaces: a DoctorRun is then a plain JSON record (Record<string, unknown>)
// that the store's doctor-run table takes as it is.
export type CheckResult = CheckMeta & CheckOutcome;

export interface DoctorCheck extends CheckMeta {
  /**
   * Why the check does not apply to this connector (no queue, not an organization, no store),
   * or undefined when it does. Checked before run.
   */
  skipWhen?(ctx: DoctorContext): string | undefined;
  /** Without it nothing else can work: when it fails, the later checks are skipped. */
  required?: boolean;
  run(ctx: DoctorContext): Promise<CheckOutcome>;
}

export type DoctorRun = {
  /** The connector's name. */
  connector: string;
  startedAt: string;
  finishedAt: string;
  results: CheckResult[];
};

export function defineCheck(check: DoctorCheck): DoctorCheck {
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(check.id)) throw new Error(`doctor check id must be kebab-case: ${check.id}`);
  return check;
}
