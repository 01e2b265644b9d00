/**
 * A rule's light screen, remembered per distinct tuple of its fields' values: most calls share
 * their user agent, session ARN and identity types with thousands of others, so the screen's
 * test runs once per tuple and an event it rules out costs a few map lookups, no event object.
 */
import { LIGHT_RAW_FIELDS } from '../model/index.js';
import type { CommittedBatch } from '../store/index.js';
import type { LightScreen } from './types.js';

/** Distinct tuples remembered per screen before it starts over (hostile variety cannot grow it). */
const MEMO_LIMIT = 50_000;

type Node = Map<string | null, Node | boolean>;

export class ScreenMemo {
  private root: Node = new Map();
  private size = 0;

  constructor(
    private readonly screen: LightScreen,
    private readonly limit = MEMO_LIMIT,
  ) {
    for (const f of screen.fields) {
      if (!LIGHT_RAW_FIELDS.includes(f)) throw new Error(`light screen reads "${f}", not one of the light fields`);
    }
    if (screen.fields.length === 0) throw new Error('a light screen reads at least one field');
  }

  /**
   * The screen's verdict on event i: false when the rule cannot match it; undefined when the
   * batch cannot give the event's light values (the rule then runs as if it had no screen).
   */
  admits(batch: CommittedBatch, i: number): boolean | undefined {
    if (!batch.lightValue) return undefined;
    const fields = this.screen.fields;
    let node = this.root;
    const last = fields.length - 1;
    for (let k = 0; k < last; k++) {
      const v = batch.lightValue(i, fields[k]!);
      if (v === undefined) return undefined;
      let next = node.get(v) as Node | undefined;
      if (next === undefined) {
        next = new Map();
        node.set(v, next);
      }
      node = next;
    }
    const v = batch.lightValue(i, fields[last]!);
    if (v === undefined) return undefined;
    const known = node.get(v) as boolean | undefined;
    if (known !== undefined) return known;
    const verdict = this.screen.test(this.record(batch, i));
    if (this.size >= this.limit) {
      this.root = new Map();
      this.size = 0;
      return verdict;
    }
    node.set(v, verdict);
    this.size++;
    return verdict;
  }

  /** The partial record the test reads: the screen's fields at their dotted paths, null ones left out. */
  private record(batch: CommittedBatch, i: number): Record<string, unknown> {
    const record: Record<string, unknown> = {};
    for (const path of this.screen.fields) {
      const v = batch.lightValue!(i, path);
      if (v === null || v === undefined) continue;
      const parts = path.split('.');
      let node = record;
      for (const p of parts.slice(0, -1)) {
        node[p] ??= {};
        node = node[p] as Record<string, unknown>;
      }
      node[parts[parts.length - 1]!] = v;
    }
    return record;
  }
}
