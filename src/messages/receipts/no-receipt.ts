/**
 * Issue 12 item 7: a `sent` message whose delivery receipt never comes does not stay `sent` for good.
 * After MOTCUA_RECEIPT_TIMEOUT_SECONDS it becomes final `unknown` with the reason `no_receipt`, counted
 * apart in the statistics. Runs in the worker's periodic loop; the claim is one SQL statement, so two
 * workers never both take a message.
 */
import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '../../platform/clock.js';
import type { Db, DbHandle } from '../../platform/db/database.js';
import { PollLoop } from '../../platform/poll-loop.js';

/** Most messages one run marks; a run that marks this many runs again at once. */
const BATCH = 500;

/** Marks `sent` messages sent before `cutoff` as `unknown` / `no_receipt`; returns their ids. One statement. */
export async function markNoReceipt(db: DbHandle, cutoff: number, now: number, limit = BATCH): Promise<number[]> {
  const { rows } = await sql<{ id: number }>`
    update notifications
       set status = 'unknown', failure_reason = 'no_receipt', lease_until = null, updated_at = ${now}
     where id in (select id from notifications where status = 'sent' and sent_at <= ${cutoff} order by id limit ${limit})
       and status = 'sent'
    returning id`.execute(db.kysely);
  return rows.map((r) => r.id);
}

export class NoReceiptSweeper {
  private readonly loop: PollLoop;

  constructor(
    private readonly db: Db,
    private readonly options: { readonly timeoutSeconds: number; readonly sweepMs: number },
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {
    this.loop = new PollLoop(() => this.runOnce(), { pollMs: options.sweepMs, pokeDelayMs: 0, label: 'no-receipt sweep' }, logger);
  }

  /** Marks one batch; returns how many (the loop runs again at once while it finds a full batch). */
  async runOnce(): Promise<number> {
    const now = this.clock.now();
    const ids = await markNoReceipt(this.db, now - this.options.timeoutSeconds * 1000, now);
    if (ids.length > 0)
      this.logger.info({ count: ids.length, timeoutSeconds: this.options.timeoutSeconds }, 'no receipt in time: marked unknown');
    return ids.length === BATCH ? ids.length : 0;
  }

  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
  }
}
