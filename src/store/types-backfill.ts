/**
 * The backfill work table: a trail's history cut into units of (region folder, day), which any
 * number of `trailscope backfill` (or `ingest --backfill-days`) processes share through the
 * database, without a lock service of their own.
 *
 * A unit is claimed with a lease (claimedBy, claimedUntil). The holder renews the lease while it
 * works and saves its cursor (the last key, in listing order, before which every file is
 * finished); a holder that dies stops renewing, and once the lease has expired any worker may
 * claim the unit and resume from that cursor. PostgreSQL claims with `FOR UPDATE SKIP LOCKED`
 * and reads lease times from the database's clock (machines' clocks may disagree); SQLite,
 * a single writer, claims inside one IMMEDIATE transaction.
 */

/** A unit a backfill run wants done: one day of one region folder, within a delivery-time window. */
export interface BackfillUnitPlan {
  /** Connector that planned it (file records and counters are kept under the claiming run's connector). */
  connector: string;
  bucket: string;
  /** `[prefix/]AWSLogs/[o-id/]<account>/<CloudTrail|CloudTrail-Digest|CloudTrail-Insight>/<region>/` */
  folder: string;
  accountId: string;
  region: string;
  /** Delivery day, YYYY-MM-DD (UTC). */
  day: string;
  /** Delivery-time window inside the day, epoch ms, [fromMs, untilMs). */
  fromMs: number;
  untilMs: number;
}

export type BackfillUnitStatus = 'pending' | 'done';

export interface BackfillUnit extends BackfillUnitPlan {
  status: BackfillUnitStatus;
  /** Every file of the window whose key sorts at or before this one is finished; null: none yet. */
  cursor: string | null;
  claimedBy: string | null;
  /** Epoch ms the current lease ends (database clock on PostgreSQL); null when not claimed. */
  claimedUntilMs: number | null;
  /** Bumped each time a plan widens the window or redoes the unit: fences a holder that worked on the old one. */
  generation: number;
  /** Times the unit was claimed. */
  attempts: number;
  files: number;
  events: number;
  /** The last transient failure that left the unit undone. */
  lastError: string | null;
}

/** Which units a run works on: those of its folders and days. */
export interface BackfillScope {
  bucket: string;
  folders: readonly string[];
  firstDay: string;
  lastDay: string;
  /** Units this worker gave up on in this run, named folder + day (`…/us-east-1/2026-02-01`). */
  skip?: readonly string[];
}

/** What a claim returns: the unit and the fencing token every later call presents. */
export interface BackfillClaim {
  unit: BackfillUnit;
  token: string;
}

/** Progress reported with renew, complete and release: a cursor, and counts added since the last report. */
export interface BackfillProgressDelta {
  cursor: string | null;
  files: number;
  events: number;
}

export interface BackfillPlanOutcome {
  folder: string;
  day: string;
  /** Created by this plan (not planned before). */
  created: boolean;
  status: BackfillUnitStatus;
  cursor: string | null;
}

export interface BackfillRemaining {
  /** Units in scope not done (claimed or not), skipped ones excluded. */
  pending: number;
  /** Of those, held under a lease that has not expired. */
  leased: number;
  /** The earliest end of those leases, epoch ms (for a worker waiting to take over). */
  nextLeaseEndMs: number | null;
  done: number;
  /** The store's clock now, epoch ms (the database's clock on PostgreSQL). */
  nowMs: number;
}

export interface BackfillWorkStore {
  /**
   * Adds the units (idempotent: any number of workers may plan the same ones at once). A unit
   * planned before keeps its progress, unless the new window starts earlier (its cursor is reset)
   * or reaches later (a done unit becomes pending again, resuming from its cursor); the stored
   * window becomes the union. `redo` makes every unit pending again with no cursor.
   */
  plan(units: readonly BackfillUnitPlan[], opts?: { redo?: boolean }): Promise<BackfillPlanOutcome[]>;
  /**
   * Claims one pending unit of the scope that no live lease holds (oldest day first), for
   * leaseMs; undefined when there is none. Two workers never get the same unit while a lease runs.
   */
  claim(scope: BackfillScope, worker: string, leaseMs: number): Promise<BackfillClaim | undefined>;
  /** Saves progress and extends the lease; false when the claim is no longer this worker's. */
  renew(claim: BackfillClaim, progress: BackfillProgressDelta, leaseMs: number): Promise<boolean>;
  /**
   * Marks the unit done; false (and the unit stays pending, released, cursor kept) when the claim
   * was lost or the unit was widened meanwhile: then another claim finishes it.
   */
  complete(claim: BackfillClaim, progress: BackfillProgressDelta): Promise<boolean>;
  /** Gives the unit back, pending, with its cursor (stop, transient failure); no-op if the claim was lost. */
  release(claim: BackfillClaim, progress: BackfillProgressDelta & { error?: string | null }): Promise<void>;
  remaining(scope: BackfillScope): Promise<BackfillRemaining>;
  /** The units of a bucket (optionally under a folder prefix), by day then folder. */
  list(bucket: string, folderPrefix?: string): Promise<BackfillUnit[]>;
}

