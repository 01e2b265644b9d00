/** What every planted case builds on: the builder, the accounts, the window and time helpers. */
import { DAY_MS } from './builder.js';
import type { OrgBuilder } from './builder.js';
import type { AccountInfo } from './model.js';
import type { CallError } from './records.js';
import type { Rng } from './rng.js';

/** No successful activity for this long means inactive. */
export const INACTIVITY_DAYS = 90;

export interface PlantContext {
  accounts: AccountInfo[];
  externalAccountId: string;
  startMs: number;
  endMs: number;
}

export interface PlantKit {
  b: OrgBuilder;
  /** The builder's random stream (b.rng). */
  rng: Rng;
  /** The first (management) account: cases live here unless noted. */
  A: AccountInfo;
  /** The second account, when there is one (cross-account case). */
  B: AccountInfo | undefined;
  externalAccountId: string;
  startMs: number;
  endMs: number;
  /** Length of the window (endMs - startMs). */
  span: number;
  /** A public IP shared by the cases that sign in from "home". */
  homeIp: string;
  /** `days` days before the end, minus a random 0–40,000 s. */
  before(days: number): number;
  /** n times over the generated window (skipping its first and last hours). */
  spread(n: number): number[];
}

/** The shared helpers, created in a fixed order (the random stream depends on it). */
export function plantKit(b: OrgBuilder, ctx: PlantContext): PlantKit {
  const { accounts, externalAccountId, startMs, endMs } = ctx;
  const A = accounts[0]!;
  const B = accounts[1];
  const rng = b.rng;
  const before = (days: number): number => endMs - days * DAY_MS - rng.int(0, 40_000) * 1000;
  const spread = (n: number): number[] => b.times(n, startMs + 3_600_000, endMs - 3_600_000);
  const homeIp = b.publicIp();
  const span = endMs - startMs;
  return { b, rng, A, B, externalAccountId, startMs, endMs, span, homeIp, before, spread };
}

export const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export function accessDenied(principalArn: string, action: string, resource: string): CallError {
  return {
    code: 'AccessDenied',
    message: `User: ${principalArn} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`,
  };
}
