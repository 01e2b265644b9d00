/**
 * The API calls the synthetic organization makes, with requestParameters / responseElements
 * shaped like the ones real CloudTrail records carry for the same call.
 *
 * This module holds the shared types and helpers; the calls themselves are in catalog-*.ts by
 * service family and are registered in catalog.ts.
 */
import type { Rng } from './rng.js';
import type { AccountInfo, Actor } from './model.js';

export interface CallContext {
  rng: Rng;
  account: AccountInfo;
  region: string;
  actor: Actor;
  timeMs: number;
  /** Values a scripted (planted) event pins, e.g. { role: 'arn:...' } for CreateFunction. */
  args: Record<string, string>;
}

export interface CloudTrailResource {
  accountId?: string;
  type: string;
  ARN: string;
}

export interface BuiltCall {
  requestParameters: unknown;
  responseElements: unknown;
  resources?: CloudTrailResource[];
  additionalEventData?: Record<string, unknown>;
}

export interface ApiCall {
  /** `<service>:<eventName>`, unique. */
  key: string;
  eventSource: string;
  eventName: string;
  /** The IAM action the call needs, as IAM spells it. */
  action: string;
  readOnly: boolean;
  /** Data event (eventCategory Data, managementEvent false). */
  data?: boolean;
  /** Global service: the record lands in us-east-1 whatever the caller's region. */
  global?: boolean;
  eventType?: 'AwsApiCall' | 'AwsConsoleSignIn';
  build(c: CallContext): BuiltCall;
}

export const arg = (c: CallContext, name: string, fallback: () => string): string => c.args[name] ?? fallback();

export function monthDay(ms: number): string {
  // AWS SDK Java date rendering used by several services in responseElements: "Aug 1, 2024, 1:33:28 PM"
  const d = new Date(ms);
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const h = d.getUTCHours();
  const h12 = h % 12 === 0 ? 12 : h % 12;
  const mm = String(d.getUTCMinutes()).padStart(2, '0');
  const ss = String(d.getUTCSeconds()).padStart(2, '0');
  return `${months[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}, ${h12}:${mm}:${ss} ${h < 12 ? 'AM' : 'PM'}`;
}

let cachedDay = -1;
let cachedPrefix = '';
/** ISO-8601 UTC without milliseconds (CloudTrail's eventTime format); fast for nearby times. */
export function isoNoMs(ms: number): string {
  const day = Math.floor(ms / 86_400_000);
  if (day !== cachedDay) {
    cachedDay = day;
    cachedPrefix = new Date(day * 86_400_000).toISOString().slice(0, 11);
  }
  const sec = Math.floor((ms - day * 86_400_000) / 1000);
  const h = Math.floor(sec / 3600);
  const m = Math.floor((sec % 3600) / 60);
  const s = sec % 60;
  return `${cachedPrefix}${h < 10 ? '0' : ''}${h}:${m < 10 ? '0' : ''}${m}:${s < 10 ? '0' : ''}${s}Z`;
}

export const call = (
  service: string,
  eventName: string,
  opts: Partial<Omit<ApiCall, 'key' | 'eventSource' | 'eventName' | 'build'>> & { build?: ApiCall['build'] },
): ApiCall => {
  const prefix = service === 'monitoring' ? 'cloudwatch' : service;
  const actionName = eventName.replace(/20\d{6}(v\d)?$/, '');
  return {
    key: `${service}:${eventName}`,
    eventSource: `${service}.amazonaws.com`,
    eventName,
    action: opts.action ?? `${prefix}:${actionName}`,
    readOnly: opts.readOnly ?? /^(Get|List|Describe|Head|Lookup|Query|Scan|Filter|BatchGet)/.test(eventName),
    data: opts.data,
    global: opts.global,
    eventType: opts.eventType,
    build: opts.build ?? (() => ({ requestParameters: null, responseElements: null })),
  };
};

