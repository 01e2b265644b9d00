import type { DatabaseStatus } from '../store/index.js';
import { formatBytes } from './retention.js';

/** The `database:` line of `trailscope status`. */
export function formatDatabaseStatus(d: DatabaseStatus): string {
  const kept = d.retentionDays === null ? 'retention: keep everything' : `retention: ${d.retentionDays} days`;
  return `database: ${formatBytes(d.sizeBytes)}, ${kept}, oldest event kept ${d.oldestEventTime ? d.oldestEventTime.replace(/\.\d{3}Z$/, 'Z') : '-'}`;
}
