/**
 * Paces a recurring job that reruns on change: after a run, the next may start only once `factor`
 * times the run's duration has passed since it ended. With factor 2 the job holds at most a third
 * of a core however long a run takes, and runs as often as the poll interval when it is quick.
 */
export class RunPacer {
  private nextAllowedAt = 0;
  constructor(private readonly factor = 2) {}

  mayRun(nowMs: number): boolean {
    return nowMs >= this.nextAllowedAt;
  }

  ran(startedMs: number, endedMs: number): void {
    this.nextAllowedAt = endedMs + this.factor * Math.max(0, endedMs - startedMs);
  }
}
