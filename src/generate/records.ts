/**
 * Turns one (actor, call, time) into a CloudTrail record shaped like a real one.
 */
import type { Rng } from './rng.js';
import type { Actor } from './model.js';
import type { ApiCall } from './catalog.js';
import { isoNoMs } from './catalog.js';

export interface CallError {
  code: string;
  message: string;
}

export interface PlannedEvent {
  timeMs: number;
  actor: Actor;
  call: ApiCall;
  region: string;
  error?: CallError;
  args?: Record<string, string>;
  /** Pinned eventID (planted events record theirs in expected.json). */
  eventID?: string;
  /** The account whose trail receives the record, when not the actor's (cross-account copies). */
  recipientAccountId?: string;
  /** Replaces the computed userIdentity (e.g. the AWSAccount view in the other account). */
  identityOverride?: Record<string, unknown>;
  sharedEventID?: string;
  userAgent?: string;
}

export type CloudTrailRecord = Record<string, unknown> & { eventID: string; eventTime: string };

const TLS_CIPHERS = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'ECDHE-RSA-AES128-GCM-SHA256'];

/** Per-day cache of role sessions so one session keeps its key and creation time. */
export class SessionCache {
  private map = new Map<string, { key: string; created: string }>();
  constructor(private rng: Rng) {}
  get(actorKey: string, session: string, timeMs: number): { key: string; created: string } {
    const k = actorKey + '\u0000' + session;
    let s = this.map.get(k);
    if (!s) {
      s = { key: 'ASIA' + this.rng.upper(16), created: isoNoMs(timeMs - this.rng.int(30, 3000) * 1000) };
      this.map.set(k, s);
    }
    return s;
  }
  clear(): void {
    this.map.clear();
  }
}

function eventVersion(rng: Rng): string {
  const r = rng.next();
  if (r < 0.003) return '1.05';
  if (r < 0.3) return '1.08';
  if (r < 0.65) return '1.09';
  if (r < 0.85) return '1.10';
  return '1.11';
}

function roleNameOf(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

export function userIdentity(actor: Actor, rng: Rng, sessions: SessionCache, timeMs: number, sessionName?: string): Record<string, unknown> {
  const acct = actor.account.id;
  switch (actor.style) {
    case 'user-cli':
      return { type: 'IAMUser', principalId: actor.uniqueId, arn: actor.arn, accountId: acct, accessKeyId: rng.pick(actor.accessKeyIds), userName: actor.name };
    case 'user-console': {
      const s = sessions.get(actor.key, 'console', timeMs);
      return {
        type: 'IAMUser',
        principalId: actor.uniqueId,
        arn: actor.arn,
        accountId: acct,
        accessKeyId: s.key,
        userName: actor.name,
        sessionContext: { attributes: { creationDate: s.created, mfaAuthenticated: actor.mfa ? 'true' : 'false' } },
      };
    }
    case 'root': {
      const s = sessions.get(actor.key, 'root', timeMs);
      return { type: 'Root', principalId: acct, arn: `arn:aws:iam::${acct}:root`, accountId: acct, accessKeyId: s.key, sessionContext: { attributes: { creationDate: s.created, mfaAuthenticated: 'true' } } };
    }
    case 'aws-service':
      return { type: 'AWSService', invokedBy: actor.invokedBy ?? actor.arn };
    case 'saml-user': {
      const who = sessionName ?? rng.pick(actor.sessionNames);
      return { type: 'SAMLUser', principalId: `${actor.federation}:${who}`, userName: who, identityProvider: actor.federation };
    }
    case 'web-identity-user': {
      const sub = sessionName ?? rng.pick(actor.sessionNames);
      const provider = `arn:aws:iam::${acct}:oidc-provider/token.actions.githubusercontent.com`;
      return { type: 'WebIdentityUser', principalId: `${provider}:sts.amazonaws.com:${sub}`, userName: sub, identityProvider: provider };
    }
    default: {
      const session = sessionName ?? rng.pick(actor.sessionNames);
      const s = sessions.get(actor.key, session, timeMs);
      const roleName = roleNameOf(actor.arn);
      const ctx: Record<string, unknown> = {
        sessionIssuer: { type: 'Role', principalId: actor.uniqueId, arn: actor.arn, accountId: acct, userName: roleName },
        webIdFederationData: {},
        attributes: { creationDate: s.created, mfaAuthenticated: actor.style === 'sso' && actor.mfa ? 'true' : 'false' },
      };
      if (actor.style === 'web-identity') {
        ctx.webIdFederationData = {
          federatedProvider: `arn:aws:iam::${acct}:oidc-provider/token.actions.githubusercontent.com`,
          attributes: {},
        };
      }
      if (actor.style === 'ec2') ctx.ec2RoleDelivery = '2.0';
      const id: Record<string, unknown> = {
        type: 'AssumedRole',
        principalId: `${actor.uniqueId}:${session}`,
        arn: `arn:aws:sts::${acct}:assumed-role/${roleName}/${session}`,
        accountId: acct,
        accessKeyId: s.key,
        sessionContext: ctx,
      };
      if (actor.style === 'lambda') {
        id.inScopeOf = {
          issuerType: 'AWS::Lambda::Function',
          credentialsIssuedTo: `arn:aws:lambda:${actor.homeRegion ?? actor.account.regions[0]}:${acct}:function:${session}`,
        };
      }
      return id;
    }
  }
}

function sourceIp(actor: Actor, rng: Rng): string {
  if (actor.style === 'aws-service') return actor.invokedBy ?? 'AWS Internal';
  return rng.pick(actor.ips);
}

/** Builds the record. The rng drives every random detail, so output is a function of the seed. */
export function buildRecord(ev: PlannedEvent, rng: Rng, sessions: SessionCache): CloudTrailRecord {
  const { actor, call } = ev;
  const account = actor.account;
  const version = eventVersion(rng);
  const built = call.build({ rng, account, region: ev.region, actor, timeMs: ev.timeMs, args: ev.args ?? {} });
  const ua = ev.userAgent ?? (actor.style === 'aws-service' ? actor.invokedBy ?? 'AWS Internal' : rng.pick(actor.userAgents));
  const rec: CloudTrailRecord = {
    eventVersion: version,
    userIdentity: ev.identityOverride ?? userIdentity(actor, rng, sessions, ev.timeMs, ev.args?.sessionName),
    eventTime: isoNoMs(ev.timeMs),
    eventSource: call.eventSource,
    eventName: call.eventName,
    awsRegion: ev.region,
    sourceIPAddress: sourceIp(actor, rng),
    userAgent: ua,
  } as unknown as CloudTrailRecord;
  if (ev.error) {
    rec.errorCode = ev.error.code;
    rec.errorMessage = ev.error.message;
  }
  rec.requestParameters = built.requestParameters;
  rec.responseElements = ev.error ? null : built.responseElements;
  if (built.additionalEventData) rec.additionalEventData = built.additionalEventData;
  rec.requestID = call.eventSource.startsWith('s3.') ? rng.upper(16) : rng.uuid();
  rec.eventID = ev.eventID ?? rng.uuid();
  rec.readOnly = call.readOnly;
  if (built.resources) rec.resources = built.resources;
  rec.eventType = call.eventType ?? 'AwsApiCall';
  if (version !== '1.05') rec.managementEvent = !call.data;
  rec.recipientAccountId = ev.recipientAccountId ?? account.id;
  if (ev.sharedEventID) rec.sharedEventID = ev.sharedEventID;
  else if (actor.style === 'aws-service' || call.data || call.eventName === 'AssumeRole') rec.sharedEventID = rng.uuid();
  if (version !== '1.05') {
    rec.eventCategory = call.data ? 'Data' : 'Management';
    if (actor.style !== 'aws-service' && !ev.identityOverride) {
      const host = call.global
        ? call.eventSource === 'signin.amazonaws.com'
          ? 'signin.aws.amazon.com'
          : call.eventSource
        : call.eventSource === 's3.amazonaws.com'
          ? `${(built.requestParameters as { bucketName?: string } | null)?.bucketName ?? 's3'}.s3.${ev.region}.amazonaws.com`
          : `${call.eventSource.split('.')[0]}.${ev.region}.amazonaws.com`;
      rec.tlsDetails = { tlsVersion: 'TLSv1.3', cipherSuite: rng.pick(TLS_CIPHERS), clientProvidedHostHeader: host };
    }
    if (actor.style === 'user-console' || actor.style === 'sso') rec.sessionCredentialFromConsole = 'true';
  }
  return rec;
}
