/**
 * Issue 12 item 7: a `sent` message whose delivery receipt never comes does not stay `sent` for good.
 * After MOTCUA_RECEIPT_TIMEOUT_SECONDS it becomes final `unknown` with the reason `no_receipt`, counted
 * apart in the statistics. Runs in the worker's periodic loop; the claim is one SQL statement, so two
 * workers never both take a message.
 *
 * Before giving up on a message, the provider is asked when it can be (SMPP query_sm): each part still
 * without a receipt is queried, and a final answer is recorded as a receipt (DELIVERED → delivered;
 * UNDELIVERABLE, EXPIRED, REJECTED, DELETED → failed with the mapped reason). Not final, not known, or
 * no answer at all: `unknown` / `no_receipt` as before.
 */
import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '../../platform/clock.js';
import type { Db, DbHandle } from '../../platform/db/database.js';
import { PollLoop } from '../../platform/poll-loop.js';
import type { DeliveryReceipt, Provider } from '../../providers/provider.js';

/** Most messages one run marks; a run that marks this many runs again at once. */
const BATCH = 500;

/** Queries in flight at once while a sweep asks providers. */
const QUERY_CONCURRENCY = 20;

/**
 * Marks `sent` messages sent before `cutoff` as `unknown` / `no_receipt`; returns their ids. One statement.
 * `only`: limit it to these ids (the ones a sweep has just asked about).
 */
export async function markNoReceipt(db: DbHandle, cutoff: number, now: number, limit = BATCH, only?: readonly number[]): Promise<number[]> {
  if (only?.length === 0) return [];
  const among = only ? sql`and id in (${sql.join(only)})` : sql``;
  const { rows } = await sql<{ id: number }>`
    update notifications
       set status = 'unknown', failure_reason = 'no_receipt', lease_until = null, updated_at = ${now}
     where id in (select id from notifications where status = 'sent' and sent_at <= ${cutoff} ${among} order by id limit ${limit})
       and status = 'sent'
    returning id`.execute(db.kysely);
  return rows.map((r) => r.id);
}

/** What the sweeper needs to ask providers and record their answers. */
export interface NoReceiptAsking {
  /** The provider a message row names, or null (gone from the configuration). */
  provider(channel: string, name: string): Provider | null;
  /** Records an answer as a delivery receipt (ReceiptService.record). */
  record(receipt: DeliveryReceipt): Promise<unknown>;
}

interface DueMessage {
  readonly id: number;
  readonly kind: string;
  readonly channel: string;
  readonly sender: string;
  readonly provider: string | null;
  readonly provider_message_id: string | null;
}

/**
 * Part ids are stored lower-cased (receipts match them in any case), but query_sm must carry the id as
 * the SMSC gave it: the first part's is on the message row; the other parts take its case.
 */
function asGiven(partId: string, original: string | null): string {
  if (original === null || original === '') return partId;
  if (partId === original.toLowerCase()) return original;
  return original === original.toUpperCase() ? partId.toUpperCase() : partId;
}

export class NoReceiptSweeper {
  private readonly loop: PollLoop;

  constructor(
    private readonly db: Db,
    private readonly options: { readonly timeoutSeconds: number; readonly sweepMs: number },
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly asking: NoReceiptAsking | null = null,
  ) {
    this.loop = new PollLoop(() => this.runOnce(), { pollMs: options.sweepMs, pokeDelayMs: 0, label: 'no-receipt sweep' }, logger);
  }

  /** Marks one batch; returns how many (the loop runs again at once while it finds a full batch). */
  async runOnce(): Promise<number> {
    const now = this.clock.now();
    const cutoff = now - this.options.timeoutSeconds * 1000;
    const due = await this.db.kysely
      .selectFrom('notifications')
      .select(['id', 'kind', 'channel', 'sender', 'provider', 'provider_message_id'])
      .where('status', '=', 'sent')
      .where('sent_at', '<=', cutoff)
      .orderBy('id')
      .limit(BATCH)
      .execute();
    if (due.length === 0) return 0;
    const answered = await this.ask(due);
    const ids = await markNoReceipt(
      this.db,
      cutoff,
      this.clock.now(),
      BATCH,
      due.map((m) => m.id),
    );
    if (answered > 0) this.logger.info({ count: answered }, 'no receipt in time: the provider answered a query instead');
    if (ids.length > 0)
      this.logger.info({ count: ids.length, timeoutSeconds: this.options.timeoutSeconds }, 'no receipt in time: marked unknown');
    return due.length === BATCH ? due.length : 0;
  }

  /**
   * Asks the providers that can be asked about every part of `due` still without a receipt, and records
   * the final answers as receipts. Returns how many final answers were recorded. Never throws for a
   * provider's failure: no answer is the same as not final.
   */
  private async ask(due: readonly DueMessage[]): Promise<number> {
    const asking = this.asking;
    if (!asking) return 0;
    const askable = new Map<number, { message: DueMessage; provider: Provider }>();
    for (const message of due) {
      const provider = message.provider === null ? null : asking.provider(message.channel, message.provider);
      if (provider?.canQuery) askable.set(message.id, { message, provider });
    }
    if (askable.size === 0) return 0;
    const parts = await this.db.kysely
      .selectFrom('provider_message_parts')
      .select(['provider', 'message_id', 'notification_id'])
      .where('notification_id', 'in', [...askable.keys()])
      .where('status', '=', 'sent')
      .orderBy('notification_id')
      .orderBy('part')
      .execute();
    const work = parts.filter((part) => askable.get(part.notification_id)?.provider.name === part.provider);
    let answered = 0;
    for (let i = 0; i < work.length; i += QUERY_CONCURRENCY) {
      await Promise.all(
        work.slice(i, i + QUERY_CONCURRENCY).map(async (part) => {
          const { message, provider } = askable.get(part.notification_id)!;
          try {
            const answer = await provider.query(asGiven(part.message_id, message.provider_message_id), {
              kind: message.kind,
              from: message.sender,
            });
            if (answer === null || answer.status === 'pending') return;
            await asking.record({
              provider: provider.name,
              providerMessageId: part.message_id,
              status: answer.status,
              providerStatus: answer.providerStatus,
              errorCode: answer.errorCode,
              at: null,
            });
            answered++;
          } catch (error) {
            this.logger.warn(
              { provider: provider.name, notificationId: message.id, err: (error as Error).message },
              'no receipt in time: the provider could not be asked',
            );
          }
        }),
      );
    }
    return answered;
  }

  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
  }
}
