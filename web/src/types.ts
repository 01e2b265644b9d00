/**
 * The API's JSON shapes as the console reads them (the CLI's --json shapes; see README "HTTP API").
 * Only the fields the console uses are listed; everything here is untrusted text.
 */
export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';
export type FindingStatus = 'open' | 'resolved' | 'suppressed';
export type StepStatus = 'possible' | 'attempted' | 'exercised';

export interface Page<T> {
  items: T[];
  next: string | null;
}

export interface Suppression {
  reason: string;
  by: string;
  at?: string;
  until?: string | null;
}

export interface Finding {
  id: string;
  rule: string;
  severity: Severity;
  accountId: string;
  resource: string;
  title: string;
  description: string;
  remediation: string;
  details: Record<string, unknown>;
  evidence: string[];
  status: FindingStatus;
  firstSeen: string;
  lastSeen: string;
  resolvedAt: string | null;
  suppression: Suppression | null;
}

export interface IdentitySummary {
  arn: string;
  accountId: string;
  type: string;
  name: string;
  createdAt: string | null;
  lastActivity: string | null;
  usedActions: string[];
  grantedActionCount: number | null;
  unusedActionCount: number | null;
  unknownActionCount: number | null;
  isAdmin: boolean | null;
  inSnapshot: boolean;
  people?: string[];
  activity: 'known' | 'unknown';
}

export interface ServiceActions {
  used: string[];
  unused: string[];
  unknown: string[];
}

export interface IdentityDetail {
  identity: IdentitySummary;
  actions: Record<string, ServiceActions>;
  resources: { resource: string; actions: string[]; successes: number; failures: number; lastSeen: string }[];
  activity: { day: string; events: number }[];
  findings: Finding[];
  paths: AttackPath[];
  policy: unknown;
  policyNotes?: string[];
  /** What the analysis could not judge, and the commands that bring the data in. */
  notices?: { kind: string; accountId?: string; message: string; commands: string[] }[];
}

export interface EventItem {
  eventID: string;
  eventTime: string;
  eventSource: string;
  eventName: string;
  awsRegion: string;
  recipientAccountId: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  sourceIPAddress: string | null;
  userAgent: string | null;
  identityType: string | null;
  principalArn: string | null;
  sessionName: string | null;
  actions: string[];
  resources: string[];
  raw?: unknown;
}

export interface PathStep {
  from: string;
  to: string;
  technique: string;
  techniqueName: string;
  actions: string[];
  via?: string;
  conditional: boolean;
  conditions?: string[];
  confidence: 'confirmed' | 'potential';
  status: StepStatus;
  succeededEventIds: string[];
  failedEventIds: string[];
  firstSeen: string | null;
  lastSeen: string | null;
  followOn?: string;
}

export interface AttackPath {
  from: string;
  to: string;
  steps: PathStep[];
  status: StepStatus;
  conditional: boolean;
  confidence: 'confirmed' | 'potential';
  accounts: string[];
  crossAccount: boolean;
}

export interface PathNode {
  kind: string;
  accountId: string | null;
  name: string;
  isAdmin?: boolean;
  entry?: string[];
}

export interface Connector {
  name: string;
  type: 'account' | 'organization';
  trail: 'existing' | 'new';
  bucket: string;
  prefix?: string;
  queueUrl?: string;
  accountId?: string;
  organizationId?: string;
  kmsKeyArn?: string;
  region?: string;
  regions?: string[];
  roleArn?: string;
  externalId: string;
  status: 'enabled' | 'disabled';
  createdAt: string;
  updatedAt: string;
  ingestion: { files: number; events: number; lastFileAt: string | null };
}

export interface DoctorResult {
  id: string;
  title: string;
  why: string;
  status: 'pass' | 'warn' | 'fail' | 'skip';
  found: string;
  fix?: string;
}

export interface DoctorRun {
  connector: string;
  startedAt: string;
  finishedAt: string;
  results: DoctorResult[];
}

export interface AccountStatus {
  accountId: string;
  lastMessageAt: string | null;
  lastFileAt: string | null;
  newestEventTime: string | null;
  lagSeconds: number | null;
  files: number;
  events: number;
  duplicates: number;
  errorsByKind: Record<string, number>;
}

export interface QuarantineRecord {
  connector: string;
  messageId: string;
  bucket: string | null;
  key: string | null;
  reason: string;
  fix: string;
  receiveCount: number;
  at: string;
}

export interface HealthProblem {
  connector: string;
  kind: string;
  message: string;
  fix: string;
  key?: string | null;
  at: string;
}

export interface ConnectorStatus {
  connector: string;
  totals: { files: number; events: number; duplicates: number; quarantined: number; problems: number; filesDone: number; filesFailed: number };
  accounts: AccountStatus[];
  quarantine: QuarantineRecord[];
  problems: HealthProblem[];
  /** GET /api/ingestion only: the connector's state and latest doctor run. */
  enabled?: boolean | null;
  doctor?: DoctorRun | null;
}

/** An account of GET /api/ingestion: its status plus the last hours and the delivery gaps. */
export interface AccountHealth extends AccountStatus {
  eventsPerHour?: { hour: string; events: number }[];
  gaps?: Span[];
}

export interface Span {
  start: string;
  end: string;
}

export interface AccountCoverage {
  accountId: string;
  coveredDays: number;
  activity: 'known' | 'unknown';
  gaps: Span[];
  regions: { region: string; lastFile: string | null; coveredDays: number }[];
}
