/**
 * Group commit: work items that arrive within `delayMs` of each other (or `maxSize` of them) are
 * handed to `run` together, so they share one transaction; a transaction per item costs more than
 * the item on SQLite, and round trips add up on PostgreSQL. One group runs at a time. When a group
 * fails, its items run again one by one, so one bad item fails alone (unless the database itself failed:
 * then they all fail with it).
 */
import { isDbFailure } from './failure.js';

export class GroupCommit<T, R> {
  private queue: { item: T; resolve: (result: R) => void; reject: (error: unknown) => void }[] = [];
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly run: (items: readonly T[]) => Promise<R[]>,
    private readonly options: { readonly maxSize: number; readonly delayMs: number },
  ) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Runs everything queued; call before the database closes. */
  async drain(): Promise<void> {
    while (this.running || this.timer || this.queue.length > 0) {
      if (this.timer) {
        clearTimeout(this.timer);
        this.timer = null;
      }
      if (this.running) await this.running;
      else await this.flush();
    }
  }

  private schedule(): void {
    if (this.running || this.queue.length === 0) return;
    const full = this.queue.length >= this.options.maxSize;
    if (full && this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.timer) return;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.running = this.flush().finally(() => {
          this.running = null;
          this.schedule();
        });
      },
      full ? 0 : this.options.delayMs,
    );
  }

  private async flush(): Promise<void> {
    const group = this.queue.splice(0, this.options.maxSize);
    if (group.length === 0) return;
    try {
      const results = await this.run(group.map((entry) => entry.item));
      for (const [i, entry] of group.entries()) entry.resolve(results[i]!);
    } catch (error) {
      // An outage (unreachable, full, …) fails every item alike: running them one by one would only
      // multiply the failed statements.
      if (group.length === 1 || isDbFailure(error)) {
        for (const entry of group) entry.reject(error);
        return;
      }
      for (const entry of group) {
        try {
          const [result] = await this.run([entry.item]);
          entry.resolve(result!);
        } catch (alone) {
          entry.reject(alone);
        }
      }
    }
  }
}
