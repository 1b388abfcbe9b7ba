/**
 * Group commit: work items that arrive within `delayMs` of each other (or `maxSize` of them) are
 * handed to `run` together, so they share one transaction (`delayMs` 0: the items of the same turn
 * of the event loop and those that queue while a group runs; a lone item waits for nothing); a
 * transaction per item costs more than the item on SQLite, and round trips add up on PostgreSQL. One
 * group runs at a time. When a group fails, its items run again one by one, so one bad item fails alone
 * (unless the database itself failed: then they all fail with it).
 */
import { savepoint, transaction, type DbHandle } from './database.js';
import { isDbFailure } from './failure.js';

export class GroupCommit<T, R> {
  private queue: { item: T; resolve: (result: R) => void; reject: (error: unknown) => void }[] = [];
  /** The group waiting to start, as its cancel function. */
  private timer: (() => void) | null = null;
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
      this.cancelTimer();
      if (this.running) await this.running;
      else await this.flush();
    }
  }

  private schedule(): void {
    if (this.running || this.queue.length === 0) return;
    const full = this.queue.length >= this.options.maxSize;
    if (full) this.cancelTimer();
    if (this.timer) return;
    const start = () => {
      this.timer = null;
      this.running = this.flush().finally(() => {
        this.running = null;
        this.schedule();
      });
    };
    if (full || this.options.delayMs === 0) {
      const immediate = setImmediate(start);
      this.timer = () => clearImmediate(immediate);
    } else {
      const timeout = setTimeout(start, this.options.delayMs);
      this.timer = () => clearTimeout(timeout);
    }
  }

  private cancelTimer(): void {
    this.timer?.();
    this.timer = null;
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

type Work = (tx: DbHandle) => Promise<unknown>;
type Settled = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

/**
 * Transactions committed in groups (GroupCommit): concurrent `run(work)` calls share one transaction,
 * in the order they came, and each caller is answered once the group has committed, never before.
 * A work that throws (a conflict, a refusal, a constraint) fails alone and the others commit: the group
 * is first tried plainly; should a work throw, it is rolled back and run again with each work in its
 * own savepoint, so what the failing one wrote is undone and it gets its own error. (Savepoints cost
 * two statements a work, paid only by a group that needs them.) An outage fails the whole group:
 * every caller gets it and nothing of the group is written. With `maxSize` 1 every work is its own
 * transaction, as without this.
 */
export class GroupedTransactions {
  private readonly groups: GroupCommit<Work, Settled> | null;

  constructor(
    private readonly db: DbHandle,
    options: { readonly maxSize: number; readonly delayMs: number },
    /** Told each group's size and pass as it runs (metrics). */
    private readonly onGroup: (size: number, pass: 'plain' | 'savepoints') => void = () => undefined,
  ) {
    this.groups = options.maxSize > 1 ? new GroupCommit((works) => this.runGroup(works), options) : null;
  }

  async run<T>(work: (tx: DbHandle) => Promise<T>): Promise<T> {
    if (!this.groups) return transaction(this.db, work);
    const settled = await this.groups.submit(work);
    if (!settled.ok) throw settled.error;
    return settled.value as T;
  }

  /** Commits what is queued; call before the database closes. */
  async drain(): Promise<void> {
    await this.groups?.drain();
  }

  private async runGroup(works: readonly Work[]): Promise<Settled[]> {
    this.onGroup(works.length, 'plain');
    // Alone, the transaction is the savepoint (GroupCommit hands its error to the caller).
    if (works.length === 1) return [{ ok: true, value: await transaction(this.db, works[0]!) }];
    try {
      return await transaction(this.db, async (tx) => {
        const settled: Settled[] = [];
        for (const work of works) settled.push({ ok: true, value: await work(tx) });
        return settled;
      });
    } catch (error) {
      if (isDbFailure(error)) throw error;
    }
    this.onGroup(works.length, 'savepoints');
    return transaction(this.db, async (tx) => {
      const settled: Settled[] = [];
      for (const work of works) {
        try {
          settled.push({ ok: true, value: await savepoint(tx, work) });
        } catch (error) {
          if (isDbFailure(error)) throw error;
          settled.push({ ok: false, error });
        }
      }
      return settled;
    });
  }
}
