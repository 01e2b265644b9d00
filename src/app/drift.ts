/** The configuration change timeline, shared by `trailscope drift` and GET /api/drift. */
import type { ChangeRecord, Store } from '../store/index.js';
import { UseCaseError } from './errors.js';

export interface DriftRequest {
  since?: string | undefined;
  until?: string | undefined;
  accountId?: string | undefined;
  resource?: string | undefined;
  /** At most this many changes (0 or absent: all). */
  limit?: number | undefined;
}

export async function listChanges(store: Store, req: DriftRequest): Promise<ChangeRecord[]> {
  if (req.accountId !== undefined && !/^\d{12}$/.test(req.accountId)) throw new UseCaseError(`--account must be a 12-digit AWS account id, got "${req.accountId}"`);
  return store.detections.changes({
    ...(req.since ? { since: req.since } : {}),
    ...(req.until ? { until: req.until } : {}),
    ...(req.accountId ? { accountId: req.accountId } : {}),
    ...(req.resource ? { resource: req.resource } : {}),
    ...(req.limit ? { limit: req.limit } : {}),
  });
}
