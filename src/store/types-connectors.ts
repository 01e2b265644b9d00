/** The store contract, continued: connectors and their doctor runs, and findings across analysis runs. */

/**
 * A connector as stored: its name, whether it is enabled, its generated ExternalId and its
 * settings as a JSON object (validated by src/connectors when read, so the store need not know
 * the settings' schema). The database is the one source of truth for connectors.
 */
export interface ConnectorRecord {
  name: string;
  enabled: boolean;
  externalId: string;
  settings: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

/** One run of `trailscope doctor` for a connector: when, and each check's result. */
export interface DoctorRunRecord {
  connector: string;
  startedAt: string;
  finishedAt: string;
  results: Record<string, unknown>[];
}

/** What removing a connector deleted, per kind of row. */
export interface ConnectorRemoval {
  /** Events only this connector delivered (with their raw records, usage, coverage, detections and changes). */
  events: number;
  /** Events kept because another connector delivered them too. */
  sharedEvents: number;
  files: number;
  quarantined: number;
  problems: number;
  counters: number;
  doctorRuns: number;
}

export interface ConnectorStore {
  list(): Promise<ConnectorRecord[]>;
  get(name: string): Promise<ConnectorRecord | undefined>;
  /** Inserts or replaces by name; the createdAt of an existing row is kept. */
  put(record: ConnectorRecord): Promise<ConnectorRecord>;
  /**
   * Deletes the connector and every row of its own, atomically: the events only it delivered (with
   * their raw records, usage, coverage, detections and changes), its files, quarantine, problems,
   * counters and doctor runs. Events another connector delivered too stay.
   */
  remove(name: string): Promise<ConnectorRemoval | undefined>;
  recordDoctorRun(run: DoctorRunRecord): Promise<void>;
  latestDoctorRun(connector: string): Promise<DoctorRunRecord | undefined>;
}

export type FindingStatus = 'open' | 'resolved' | 'suppressed';

/** A user's decision to hide a finding: why, who, and until when (no expiry when absent). */
export interface Suppression {
  reason: string;
  by: string;
  at: string;
  until?: string | null;
}

/** A finding as stored across analysis runs (the finding document is the rule's own output). */
export interface StoredFinding {
  id: string;
  rule: string;
  severity: string;
  accountId: string;
  resource: string;
  /** The finding as the rule last produced it (src/model/finding.ts Finding). */
  finding: Record<string, unknown>;
  /** Analysis times (as-of) of the first and last run that found it. */
  firstSeen: string;
  lastSeen: string;
  /** Analysis time of the first run that no longer found it, while resolved. */
  resolvedAt: string | null;
  suppression: Suppression | null;
}

/** One run of the analysis: its analysis time, and which rules and account it covered. */
export interface AnalysisRun {
  asOf: string;
  windowDays: number;
  /** The rules that ran: only their findings can be resolved by this run. */
  rules: string[];
  /** Set when the run covered one account only. */
  accountId?: string;
  /** Wall-clock time of the run. */
  ranAt: string;
}

export interface FindingStore {
  /**
   * Records a run's findings atomically: new ones get firstSeen, found ones lastSeen (and are
   * reopened if resolved), open ones of the run's rules and scope that it no longer found are
   * resolved. A run older than a finding's lastSeen neither resolves nor moves it.
   */
  recordRun(run: AnalysisRun, findings: readonly { id: string; rule: string; severity: string; accountId: string; resource: string }[]): Promise<{ new: number; resolved: number }>;
  list(q?: { rules?: string[]; accountId?: string; ids?: string[] }): Promise<StoredFinding[]>;
  get(id: string): Promise<StoredFinding | undefined>;
  /** Sets or replaces the suppression of a finding; false when no finding has that id. */
  suppress(id: string, s: Suppression): Promise<boolean>;
  unsuppress(id: string): Promise<boolean>;
  lastRun(): Promise<AnalysisRun | undefined>;
}
