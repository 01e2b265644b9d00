import { lightRecord, type NormalizedEvent } from '../../model/index.js';
import type { CommittedBatch } from '../types.js';
import type { EncodedChunk } from '../encode/index.js';
import { lineBytes } from '../encode/index.js';
import { columnsOnlyEvent, decodeEvent } from '../encode/raw.js';
import type { EventColumns } from '../encode/raw.js';
import { msToTime } from '../encode/time.js';

const apis = new Map<string, [string, string]>();

/** [eventSource, eventName] of an interned api string, parsed once. */
function apiOf(api: string): [string, string] {
  let parsed = apis.get(api);
  if (!parsed) {
    parsed = JSON.parse(api) as [string, string];
    if (apis.size > 20_000) apis.clear();
    apis.set(api, parsed);
  }
  return parsed;
}

/** The inserted events of one chunk, as the commit hook sees them. */
export class ChunkBatch implements CommittedBatch {
  private readonly irregular: ReadonlySet<number>;

  constructor(
    private readonly chunk: EncodedChunk,
    private readonly kept: readonly number[],
    private readonly extras: readonly (string | null)[],
  ) {
    this.irregular = new Set(chunk.lightIrregular);
  }

  get size(): number {
    return this.kept.length;
  }

  api(i: number): string {
    return this.chunk.apis[this.kept[i]!]!;
  }

  identityType(i: number): string | null {
    return this.chunk.identityTypes[this.kept[i]!] ?? null;
  }

  principalArn(i: number): string | null {
    return this.chunk.principals[this.kept[i]!] ?? null;
  }

  lightValue(i: number, field: string): string | null | undefined {
    const j = this.kept[i]!;
    if (this.irregular.size > 0 && this.irregular.has(j)) return undefined;
    const c = this.chunk;
    switch (field) {
      case 'eventSource':
        return apiOf(c.apis[j]!)[0];
      case 'eventName':
        return apiOf(c.apis[j]!)[1];
      case 'sourceIPAddress':
        return c.sourceIps[j] ?? null;
      case 'userAgent':
        return c.userAgents[j] ?? null;
      case 'userIdentity.type':
        return c.identityTypes[j] ?? null;
      case 'userIdentity.arn':
        return c.userArns[j] ?? null;
      case 'userIdentity.sessionContext.sessionIssuer.type':
        return c.sessionIssuerTypes[j] ?? null;
      default:
        return undefined;
    }
  }

  private columns(j: number, withSets: boolean): EventColumns {
    const c = this.chunk;
    const [eventSource, eventName] = apiOf(c.apis[j]!);
    return {
      eventID: c.eventIds[j]!,
      eventTime: msToTime(c.times[j]!),
      eventSource,
      eventName,
      recipientAccountId: c.accounts[j] ?? null,
      errorCode: c.errors[j] ?? null,
      identityType: c.identityTypes[j] ?? null,
      principalArn: c.principals[j] ?? null,
      principalAccountId: c.principalAccounts[j] ?? null,
      sessionName: c.sessions[j] ?? null,
      actions: withSets ? (JSON.parse(c.actions[j]!) as string[]) : [],
      resources: withSets ? (JSON.parse(c.resources[j]!) as string[]) : [],
    };
  }

  light(i: number): NormalizedEvent {
    const j = this.kept[i]!;
    // The light fields would not be the record's: the full event is a superset of the light one.
    if (this.irregular.has(j)) return this.full(i);
    const c = this.chunk;
    const e = columnsOnlyEvent(this.columns(j, false));
    e.sourceIPAddress = c.sourceIps[j] ?? null;
    const userAgent = c.userAgents[j] ?? null;
    // Normalised as the parser does (an empty user agent is none); the record keeps it as it was.
    e.userAgent = userAgent || null;
    e.raw = lightRecord(e, { userAgent, userArn: c.userArns[j] ?? null, sessionIssuerType: c.sessionIssuerTypes[j] ?? null });
    return e;
  }

  full(i: number): NormalizedEvent {
    const j = this.kept[i]!;
    const bytes = lineBytes(this.chunk, j);
    const line = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
    return decodeEvent(this.columns(j, true), line, this.extras[j] ?? null);
  }
}

