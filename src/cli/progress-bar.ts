/**
 * A progress display on stderr: a bar redrawn in place on a terminal, plain lines otherwise
 * (logs, CI): one when a phase ends and at most one every `plainEveryMs` while it runs.
 */
export interface ProgressStream {
  isTTY?: boolean;
  write(s: string): boolean;
}

export class ProgressBar {
  private phase = '';
  private lastDraw = 0;
  private lastLine = '';
  /** The last plain line written, so a part's end does not repeat it. */
  private printed = '';

  constructor(
    private readonly out: ProgressStream = process.stderr,
    private readonly opts: { label?: string; plainEveryMs?: number; width?: number; now?: () => number } = {},
  ) {}

  update(phase: string, done: number, total: number | null): void {
    const now = this.opts.now?.() ?? Date.now();
    if (phase !== this.phase) {
      this.endPhase();
      this.phase = phase;
      this.lastDraw = 0;
    }
    this.lastLine = this.describe(phase, done, total);
    if (this.out.isTTY) {
      if (now - this.lastDraw < 100 && done !== total) return;
      this.lastDraw = now;
      this.out.write(`\r\x1b[K${this.bar(done, total)} ${this.lastLine}`);
    } else if (now - this.lastDraw >= (this.opts.plainEveryMs ?? 10_000)) {
      // The first update of a phase prints at once, so a long phase shows it started.
      this.lastDraw = now;
      if (done !== total) this.plain(this.lastLine);
    }
  }

  /** Ends the current phase's display with its last state on a line of its own. */
  done(): void {
    this.endPhase();
    this.phase = '';
  }

  private endPhase(): void {
    if (!this.phase) return;
    if (this.out.isTTY) this.out.write(`\r\x1b[K${this.lastLine}\n`);
    else if (this.printed !== this.lastLine) this.plain(this.lastLine);
  }

  private plain(line: string): void {
    this.printed = line;
    this.out.write(`${line}\n`);
  }

  private describe(phase: string, done: number, total: number | null): string {
    const label = this.opts.label ? `${this.opts.label}: ` : '';
    return total === null ? `${label}${phase} ${done}` : `${label}${phase} ${done}/${total}`;
  }

  private bar(done: number, total: number | null): string {
    const width = this.opts.width ?? 30;
    if (total === null || total <= 0) return `[${'-'.repeat(width)}]`;
    const filled = Math.min(width, Math.round((done / total) * width));
    return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.min(100, Math.floor((done / total) * 100))).padStart(3)}%`;
  }
}
