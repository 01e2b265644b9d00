/** The store contract, continued: retention (removing old events) and the store's size on disk. */

/** What one retention pass removed. */
export interface RetentionResult {
  /** ISO eventTime before which events were removed. */
  before: string;
  /** Event rows removed (their raw records with them). */
  events: number;
  /** PostgreSQL: monthly partitions emptied whole (TRUNCATE); 0 on SQLite. */
  partitions: number;
}

export interface MaintenanceStore {
  /**
   * Removes the events whose eventTime is before `before`, with their raw records and their
   * provenance rows. What the rest of the product reads instead of events stays: usage
   * aggregates (so an action used by an identity stays used, with its lastSeen), principals,
   * coverage, detections, the change timeline and findings. Works in short transactions
   * (batches, whole partitions), so ingestion beside it waits briefly, never for the whole pass.
   */
  applyRetention(before: string): Promise<RetentionResult>;
  /** Bytes the store occupies: SQLite's file and its WAL; PostgreSQL's relations of the store's schema. */
  sizeBytes(): Promise<number>;
}
