/**
 * Evidence groups (EventStore.evidenceGroups): the window's events of some actions, folded by
 * everything an analysis of "who called what on which resource, and did it work" reads: the
 * caller, the API, the action and resource lists and the error code. A group stands for any
 * number of identical calls with its count, first and last time and a bounded sample of event
 * ids, so a reader's cost follows distinct calls, not events.
 */
export interface EvidenceQuery {
  /** ISO start (inclusive) and end (exclusive) of the window. */
  since?: string;
  until?: string;
  /** Events whose actions include any of these (IAM's spelling, e.g. iam:PassRole). */
  anyAction: string[];
  /** Samples kept per group from its start (default EVIDENCE_SAMPLES); the last event is always kept too. */
  samples?: number;
}

export const EVIDENCE_SAMPLES = 20;

export interface EvidenceSample {
  eventID: string;
  eventTime: string;
}

export interface EvidenceGroup {
  principalArn: string | null;
  /** The caller's account, kept when no principal ARN is known (another account's call). */
  principalAccountId: string | null;
  eventSource: string;
  actions: string[];
  resources: string[];
  errorCode: string | null;
  count: number;
  firstTime: string;
  lastTime: string;
  /** The group's first events in (eventTime, eventID) order, then its last one when not among them. */
  samples: EvidenceSample[];
}
