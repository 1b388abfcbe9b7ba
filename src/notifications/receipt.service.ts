import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { transaction, type Db, type DbHandle } from '../db/database.js';
import type { Metrics } from '../http/metrics.js';
import type { DeliveryReceipt } from '../providers/provider.js';
import { receiptIdCandidates } from '../smpp/receipt.js';
import type { NotificationRow } from './notification.repository.js';
import type { StatusCallbackService } from './status-callback.service.js';

export interface ReceiptResult {
  readonly matched: boolean;
  readonly notificationId: number | null;
  /** The message's status after this receipt (null when unmatched). */
  readonly status: NotificationRow['status'] | null;
}

/** `carrier_expired`, `carrier_undelivered` …: the failure reason a receipt's status word gives. */
export function receiptFailureReason(providerStatus: string): string {
  const word = providerStatus.trim().toUpperCase();
  if (word.startsWith('EXPIR') || word === '3') return 'carrier_expired';
  if (word.startsWith('UNDELIV') || word === '5') return 'carrier_undelivered';
  if (word.startsWith('REJECT') || word === '8') return 'carrier_rejected';
  if (word.startsWith('DELET') || word === '4') return 'carrier_deleted';
  if (word.startsWith('UNKNOWN') || word === '7') return 'carrier_unknown';
  return 'carrier_failed';
}

const normalise = (id: string) => id.trim().toLowerCase();

/**
 * A receipt and the sent update that records its id can run at once. On PostgreSQL (read committed) each
 * would miss the other's uncommitted row — the receipt finds no part, the update finds no early receipt —
 * and the receipt stayed unmatched for good. Both first take a transaction lock on every form of the id
 * (in one order), so whichever comes second waits for the first to commit and then sees its row.
 * SQLite's write transactions are serial already.
 */
async function lockIds(tx: DbHandle, provider: string, candidates: readonly string[]): Promise<void> {
  await lockReceiptIds(tx, [{ provider, ids: candidates }]);
}

/** Takes every id's lock in one sorted statement, so transactions that lock several ids cannot deadlock. */
export async function lockReceiptIds(tx: DbHandle, entries: readonly { provider: string; ids: readonly string[] }[]): Promise<void> {
  if (tx.dialect !== 'postgres') return;
  const keys = [...new Set(entries.flatMap(({ provider, ids }) => ids.flatMap(receiptIdCandidates).map((id) => `receipt|${provider}|${id}`)))].sort();
  if (keys.length === 0) return;
  // unnest yields the keys in array order, so every transaction locks them in one order.
  await sql`select pg_advisory_xact_lock(hashtextextended(k, 0)) from unnest(${keys}::text[]) as k`.execute(tx.kysely);
}

const RECEIPT_GROUP = 200;
const RECEIPT_FLUSH_MS = 2;

/**
 * Delivery receipts → message statuses. A message split into parts is delivered when every part is,
 * and failed as soon as one part is. A receipt can overtake our own record of the ids (the SMSC
 * answers the submit and reports delivery before the `sent` update commits): it is kept unmatched
 * and applied by `recordParts` when the ids arrive.
 */
export class ReceiptService {
  private queue: { receipt: DeliveryReceipt; resolve: (result: ReceiptResult) => void; reject: (error: unknown) => void }[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly db: Db,
    private readonly callbacks: StatusCallbackService,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly metrics: Metrics,
  ) {}

  /**
   * Receipts arrive as fast as messages leave; they are applied in groups, one transaction per group
   * (a group commit), and one group at a time in this process.
   */
  record(receipt: DeliveryReceipt): Promise<ReceiptResult> {
    return new Promise<ReceiptResult>((resolve, reject) => {
      this.queue.push({ receipt, resolve, reject });
      if (this.queue.length >= RECEIPT_GROUP) this.scheduleFlush(0);
      else this.scheduleFlush(RECEIPT_FLUSH_MS);
    });
  }

  /** Applies what is queued; call before the database closes. */
  async drain(): Promise<void> {
    while (this.flushing || this.timer || this.queue.length > 0) {
      if (this.timer) {
        clearTimeout(this.timer);
        this.timer = null;
      }
      if (this.flushing) await this.flushing;
      else await this.flush();
    }
  }

  private scheduleFlush(delayMs: number): void {
    if (this.flushing) return;
    if (delayMs === 0 && this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flushing = this.flush().finally(() => {
        this.flushing = null;
        if (this.queue.length > 0) this.scheduleFlush(this.queue.length >= RECEIPT_GROUP ? 0 : RECEIPT_FLUSH_MS);
      });
    }, delayMs);
  }

  private async flush(): Promise<void> {
    const group = this.queue.splice(0);
    if (group.length === 0) return;
    const now = this.clock.now();
    let results: ReceiptResult[];
    try {
      results = await transaction(this.db, async (tx) => {
        await lockReceiptIds(tx, group.map(({ receipt }) => ({ provider: receipt.provider, ids: [receipt.providerMessageId] })));
        const applied: ReceiptResult[] = [];
        for (const { receipt } of group) applied.push(await this.apply(tx, receipt, now));
        return applied;
      });
    } catch (error) {
      for (const item of group) item.reject(error);
      return;
    }
    group.forEach(({ receipt, resolve }, i) => {
      const result = results[i]!;
      this.metrics.receipts.inc({ provider: receipt.provider, status: receipt.status, matched: String(result.matched) });
      if (!result.matched) this.logger.info({ provider: receipt.provider, providerMessageId: receipt.providerMessageId }, 'receipt for an id not recorded yet: kept until it is');
      resolve(result);
    });
  }

  private async apply(tx: DbHandle, receipt: DeliveryReceipt, now: number): Promise<ReceiptResult> {
    const part = await tx.kysely
      .selectFrom('provider_message_parts')
      .select(['message_id', 'notification_id'])
      .where('provider', '=', receipt.provider)
      .where('message_id', 'in', receiptIdCandidates(receipt.providerMessageId))
      .executeTakeFirst();
    await tx.kysely
      .insertInto('delivery_receipts')
      .values({
        provider: receipt.provider,
        provider_message_id: part?.message_id ?? normalise(receipt.providerMessageId),
        notification_id: part ? Number(part.notification_id) : null,
        status: receipt.status,
        provider_status: receipt.providerStatus.slice(0, 40),
        error_code: receipt.errorCode?.slice(0, 40) ?? null,
        done_at: receipt.at,
        received_at: now,
      })
      .execute();
    if (!part) return { matched: false, notificationId: null, status: null };
    const status = await this.applyToPart(tx, receipt.provider, part.message_id, Number(part.notification_id), receipt, now);
    return { matched: true, notificationId: Number(part.notification_id), status };
  }

  /**
   * Records the ids a provider gave a message (inside the transaction that marks it sent) and applies
   * receipts that arrived for them first. Returns the message's status after that.
   */
  async recordParts(tx: DbHandle, notificationId: number, provider: string, ids: readonly string[], now: number): Promise<NotificationRow['status'] | null> {
    await lockIds(tx, provider, ids);
    const [status] = await this.recordManyParts(tx, [{ notificationId, provider, ids }], now);
    return status ?? null;
  }

  /**
   * `recordParts` for a group of messages in a few statements whatever the group's size (the
   * dispatcher's group commit). The caller holds the ids' locks (`lockReceiptIds`). Returns each
   * message's status after early receipts, or null where none was waiting.
   */
  async recordManyParts(tx: DbHandle, messages: readonly { notificationId: number; provider: string; ids: readonly string[] }[], now: number): Promise<(NotificationRow['status'] | null)[]> {
    const entries = messages.map((m) => ({ ...m, unique: [...new Set(m.ids.map(normalise).filter((id) => id.length > 0))] }));
    const rows = entries.flatMap(({ notificationId, provider, unique }) =>
      unique.map((id, part) => ({ provider, message_id: id, notification_id: notificationId, part, status: 'sent' as const, provider_status: null, error_code: null, updated_at: now })),
    );
    const statuses: (NotificationRow['status'] | null)[] = messages.map(() => null);
    if (rows.length === 0) return statuses;
    for (let i = 0; i < rows.length; i += 500) {
      await tx.kysely.insertInto('provider_message_parts').values(rows.slice(i, i + 500)).onConflict((oc) => oc.columns(['provider', 'message_id']).doNothing()).execute();
    }
    const candidates = [...new Set(entries.flatMap((e) => e.unique.flatMap(receiptIdCandidates)))];
    const waiting = [];
    for (let i = 0; i < candidates.length; i += 500) {
      waiting.push(
        ...(await tx.kysely
          .selectFrom('delivery_receipts')
          .selectAll()
          .where('notification_id', 'is', null)
          .where('provider', 'in', [...new Set(entries.map((e) => e.provider))])
          .where('provider_message_id', 'in', candidates.slice(i, i + 500))
          .orderBy('id')
          .execute()),
      );
    }
    for (const early of waiting) {
      const index = entries.findIndex((e) => e.provider === early.provider && e.unique.some((id) => receiptIdCandidates(id).includes(early.provider_message_id)));
      if (index < 0) continue;
      const { notificationId, provider, unique } = entries[index]!;
      const messageId = unique.find((id) => receiptIdCandidates(id).includes(early.provider_message_id))!;
      await tx.kysely.updateTable('delivery_receipts').set({ notification_id: notificationId }).where('id', '=', Number(early.id)).execute();
      statuses[index] = await this.applyToPart(
        tx,
        provider,
        messageId,
        notificationId,
        { provider, providerMessageId: early.provider_message_id, status: early.status, providerStatus: early.provider_status, errorCode: early.error_code, at: early.done_at === null ? null : Number(early.done_at) },
        now,
      );
    }
    return statuses;
  }

  private async applyToPart(tx: DbHandle, provider: string, messageId: string, notificationId: number, receipt: DeliveryReceipt, now: number): Promise<NotificationRow['status'] | null> {
    // Receipts for two parts of one message can be applied at once; each would see the other part as
    // not yet delivered and neither would finish the message. The message row's lock orders them
    // (SQLite's write transactions are serial already).
    if (tx.dialect === 'postgres') await sql`select id from notifications where id = ${notificationId} for update`.execute(tx.kysely);
    if (receipt.status !== 'sent') {
      // A part's final status is kept: a late intermediate report or a duplicate receipt changes nothing.
      await tx.kysely
        .updateTable('provider_message_parts')
        .set({ status: receipt.status, provider_status: receipt.providerStatus.slice(0, 40), error_code: receipt.errorCode?.slice(0, 40) ?? null, updated_at: now })
        .where('provider', '=', provider)
        .where('message_id', '=', messageId)
        .where('status', '=', 'sent')
        .execute();
    }
    const parts = await tx.kysely.selectFrom('provider_message_parts').select(['status', 'provider_status', 'error_code']).where('notification_id', '=', notificationId).execute();
    const failedPart = parts.find((p) => p.status === 'failed');
    const allDelivered = parts.length > 0 && parts.every((p) => p.status === 'delivered');
    if (!failedPart && !allDelivered) return this.currentStatus(tx, notificationId);
    const at = receipt.at ?? now;
    const update = failedPart
      ? {
          status: 'failed' as const,
          failure_reason: receiptFailureReason(failedPart.provider_status ?? ''),
          last_error: `receipt ${failedPart.provider_status ?? ''}${failedPart.error_code ? ` err:${failedPart.error_code}` : ''}`.slice(0, 500),
          updated_at: now,
        }
      : { status: 'delivered' as const, delivered_at: at, updated_at: now };
    const changed = await tx.kysely
      .updateTable('notifications')
      .set(update)
      .where('id', '=', notificationId)
      .where('status', 'in', ['sent', 'sending'])
      .returningAll()
      .executeTakeFirst();
    if (changed) {
      this.metrics.notificationsFinal.inc({ kind: changed.kind, status: changed.status });
      await this.callbacks.enqueue(tx, changed, now);
      return changed.status;
    }
    return this.currentStatus(tx, notificationId);
  }

  private async currentStatus(tx: DbHandle, notificationId: number): Promise<NotificationRow['status'] | null> {
    const row = await tx.kysely.selectFrom('notifications').select('status').where('id', '=', notificationId).executeTakeFirst();
    return row?.status ?? null;
  }
}
