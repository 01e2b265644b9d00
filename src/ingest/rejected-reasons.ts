/**
 * Rejected records grouped by why, for the import summary: a count per kind of reason and a few
 * examples with file and position, so an operator can look at the records themselves.
 */
import type { RejectedRecord } from '../parse/index.js';

export interface RejectedExample {
  path: string;
  /** 0-based position of the record in its file. */
  index: number;
  /** 1-based line, for one-record-per-line files. */
  line?: number;
  reason: string;
}

export interface RejectedReasonGroup {
  /** The reason with the record's own values blanked out, so like rejections group together. */
  reason: string;
  count: number;
  examples: RejectedExample[];
}

const EXAMPLES_PER_REASON = 3;
/** Groups kept; quoted values that escape blanking cannot grow the summary without bound. */
const MAX_GROUPS = 20;
const OTHER_REASONS = '(other reasons)';

/** The reason's kind: quoted values, numbers and ISO times blanked. */
export function reasonKind(reason: string): string {
  return reason
    .replace(/"(?:[^"\\]|\\.)*"/g, '"…"')
    .replace(/\d{4}-\d{2}-\d{2}T[0-9:.]+Z/g, '<time>')
    .replace(/\d+/g, 'N');
}

export class RejectedReasons {
  private readonly groups = new Map<string, RejectedReasonGroup>();

  add(path: string, rejected: Pick<RejectedRecord, 'index' | 'line' | 'reason'>, count = 1): void {
    let kind = reasonKind(rejected.reason);
    if (!this.groups.has(kind) && this.groups.size >= MAX_GROUPS - 1) kind = OTHER_REASONS;
    let group = this.groups.get(kind);
    if (!group) {
      group = { reason: kind, count: 0, examples: [] };
      this.groups.set(kind, group);
    }
    group.count += count;
    if (group.examples.length < EXAMPLES_PER_REASON) {
      const example: RejectedExample = { path, index: rejected.index, reason: rejected.reason };
      if (rejected.line !== undefined) example.line = rejected.line;
      group.examples.push(example);
    }
  }

  /** Adds one file's groups (see groupFileRejects). */
  addFile(path: string, groups: FileRejectGroup[]): void {
    for (const { count, first } of groups) {
      first.forEach((r, k) => this.add(path, r, k === 0 ? count - first.length + 1 : 1));
    }
  }

  /** Most frequent first. */
  list(): RejectedReasonGroup[] {
    return [...this.groups.values()].sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
  }
}

/**
 * A file's rejected records, grouped the same way, small enough to travel from a parse worker:
 * per kind, the count and the first few records.
 */
export interface FileRejectGroup {
  count: number;
  first: RejectedRecord[];
}

export function groupFileRejects(rejected: RejectedRecord[]): FileRejectGroup[] {
  const byKind = new Map<string, FileRejectGroup>();
  for (const r of rejected) {
    let kind = reasonKind(r.reason);
    if (!byKind.has(kind) && byKind.size >= MAX_GROUPS - 1) kind = OTHER_REASONS;
    let group = byKind.get(kind);
    if (!group) {
      group = { count: 0, first: [] };
      byKind.set(kind, group);
    }
    group.count++;
    if (group.first.length < EXAMPLES_PER_REASON) group.first.push(r);
  }
  return [...byKind.values()];
}
