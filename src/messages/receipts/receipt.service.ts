import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '../../platform/clock.js';
import { transaction, type Db, type DbHandle } from '../../platform/db/database.js';
import { GroupCommit } from '../../platform/db/group-commit.js';
import { hot } from '../../platform/db/hot/index.js';
import type { Metrics } from '../../platform/metrics.js';
import type { DeliveryReceipt } from '../../providers/provider.js';
import { receiptIdCandidates } from '../../lib/smpp/receipt.js';
import type { NotificationRow } from '../notification.repository.js';
import type { StatusCallbackService } from '../callbacks/status-callback.service.js';

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
/** Takes every id's lock in one sorted statement, so transactions that lock several ids cannot deadlock. */
export async function lockReceiptIds(tx: DbHandle, entries: readonly { provider: string; ids: readonly string[] }[]): Promise<void> {
  if (tx.dialect !== 'postgres') return;
  const keys = [
    ...new Set(entries.flatMap(({ provider, ids }) => ids.flatMap(receiptIdCandidates).map((id) => `receipt|${provider}|${id}`))),
  ].sort();
  await hot(tx).lockKeys(tx, keys);
}

/** Rows or values per statement of the query builder's (not the hot statements'), under SQLite's cap on bound parameters. */
const CHUNK = 500;

/**
 * Delivery receipts → message statuses. A message split into parts is delivered when every part is,
 * and failed as soon as one part is. A receipt can overtake our own record of the ids (the SMSC
 * answers the submit and reports delivery before the `sent` update commits): it is kept unmatched
 * and applied by `recordParts` when the ids arrive.
 */
export class ReceiptService {
  private readonly groups = new GroupCommit<DeliveryReceipt, ReceiptResult>((receipts) => this.recordGroup(receipts), {
    maxSize: 200,
    delayMs: 2,
  });

  constructor(
    private readonly db: Db,
    private readonly callbacks: StatusCallbackService,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly metrics: Metrics,
  ) {}

  /** Receipts arrive as fast as messages leave; they are applied in groups (see GroupCommit). */
  record(receipt: DeliveryReceipt): Promise<ReceiptResult> {
    return this.groups.submit(receipt);
  }

  /** Applies what is queued; call before the database closes. */
  drain(): Promise<void> {
    return this.groups.drain();
  }

  private async recordGroup(receipts: readonly DeliveryReceipt[]): Promise<ReceiptResult[]> {
    const now = this.clock.now();
    const results = await transaction(
      this.db,
      async (tx) => {
        await lockReceiptIds(
          tx,
          receipts.map((receipt) => ({ provider: receipt.provider, ids: [receipt.providerMessageId] })),
        );
        return this.applyGroup(tx, receipts, now);
      },
      { notificationPath: true },
    );
    receipts.forEach((receipt, i) => {
      const result = results[i]!;
      this.metrics.receipts.inc({ provider: receipt.provider, status: receipt.status, matched: String(result.matched) });
      if (!result.matched)
        this.logger.info(
          { provider: receipt.provider, providerMessageId: receipt.providerMessageId },
          'receipt for an id not recorded yet: kept until it is',
        );
    });
    return results;
  }

  /** A group of receipts in a few statements: find their parts, store them, apply them. */
  private async applyGroup(tx: DbHandle, receipts: readonly DeliveryReceipt[], now: number): Promise<ReceiptResult[]> {
    const candidates = receipts.map((r) => receiptIdCandidates(r.providerMessageId));
    const providers = [...new Set(receipts.map((r) => r.provider))];
    const allCandidates = [...new Set(candidates.flat())];
    const partOf = new Map<string, { message_id: string; notification_id: number }>();
    for (let i = 0; i < allCandidates.length; i += CHUNK) {
      const found = await tx.kysely
        .selectFrom('provider_message_parts')
        .select(['provider', 'message_id', 'notification_id'])
        .where('provider', 'in', providers)
        .where('message_id', 'in', allCandidates.slice(i, i + CHUNK))
        .execute();
      for (const part of found)
        partOf.set(`${part.provider}|${part.message_id}`, { message_id: part.message_id, notification_id: part.notification_id });
    }
    const matched = receipts.map(
      (r, i) => candidates[i]!.map((id) => partOf.get(`${r.provider}|${id}`)).find((part) => part !== undefined) ?? null,
    );
    const rows = receipts.map((receipt, i) => ({
      provider: receipt.provider,
      provider_message_id: matched[i]?.message_id ?? normalise(receipt.providerMessageId),
      notification_id: matched[i]?.notification_id ?? null,
      status: receipt.status,
      provider_status: receipt.providerStatus.slice(0, 40),
      error_code: receipt.errorCode?.slice(0, 40) ?? null,
      done_at: receipt.at,
      received_at: now,
    }));
    for (let i = 0; i < rows.length; i += CHUNK)
      await tx.kysely
        .insertInto('delivery_receipts')
        .values(rows.slice(i, i + CHUNK))
        .execute();
    const statuses = await this.applyToParts(
      tx,
      receipts.flatMap((receipt, i) => {
        const part = matched[i];
        return part ? [{ provider: receipt.provider, messageId: part.message_id, notificationId: part.notification_id, receipt }] : [];
      }),
      now,
    );
    return matched.map((part) =>
      part
        ? { matched: true, notificationId: part.notification_id, status: statuses.get(part.notification_id) ?? null }
        : { matched: false, notificationId: null, status: null },
    );
  }

  /**
   * Records the ids providers gave a group of messages (inside the transaction that marks them sent)
   * and applies receipts that arrived for them first, in a few statements whatever the group's size.
   * The caller holds the ids' locks (`lockReceiptIds`). Returns each message's status after early
   * receipts, or null where none was waiting.
   */
  async recordParts(
    tx: DbHandle,
    messages: readonly { notificationId: number; provider: string; ids: readonly string[] }[],
    now: number,
  ): Promise<(NotificationRow['status'] | null)[]> {
    const entries = messages.map((m) => ({ ...m, unique: [...new Set(m.ids.map(normalise).filter((id) => id.length > 0))] }));
    const rows = entries.flatMap(({ notificationId, provider, unique }) =>
      unique.map((id, part) => ({
        provider,
        message_id: id,
        notification_id: notificationId,
        part,
        status: 'sent' as const,
        provider_status: null,
        error_code: null,
        updated_at: now,
      })),
    );
    const statuses: (NotificationRow['status'] | null)[] = messages.map(() => null);
    if (rows.length === 0) return statuses;
    // Hot statements take the whole list as one parameter: no chunking under SQLite's parameter cap.
    await hot(tx).insertParts(tx, rows);
    const candidates = [...new Set(entries.flatMap((e) => e.unique.flatMap(receiptIdCandidates)))];
    const providers = [...new Set(entries.map((e) => e.provider))];
    const waiting = await hot(tx).unmatchedReceipts(tx, providers, candidates);
    const early = [];
    for (const receipt of waiting) {
      const index = entries.findIndex(
        (e) => e.provider === receipt.provider && e.unique.some((id) => receiptIdCandidates(id).includes(receipt.provider_message_id)),
      );
      if (index < 0) continue;
      const { notificationId, provider, unique } = entries[index]!;
      await tx.kysely.updateTable('delivery_receipts').set({ notification_id: notificationId }).where('id', '=', receipt.id).execute();
      early.push({
        index,
        provider,
        notificationId,
        messageId: unique.find((id) => receiptIdCandidates(id).includes(receipt.provider_message_id))!,
        receipt: {
          provider,
          providerMessageId: receipt.provider_message_id,
          status: receipt.status,
          providerStatus: receipt.provider_status,
          errorCode: receipt.error_code,
          at: receipt.done_at === null ? null : receipt.done_at,
        },
      });
    }
    const after = await this.applyToParts(tx, early, now);
    for (const { index, notificationId } of early) statuses[index] = after.get(notificationId) ?? null;
    return statuses;
  }

  /**
   * Applies receipts to their parts, then finishes each message whose parts say so: delivered when
   * every part is, failed as soon as one part is. A part's final status is kept (a late intermediate
   * report or a duplicate receipt changes nothing). Returns each message's status afterwards.
   */
  private async applyToParts(
    tx: DbHandle,
    items: readonly { provider: string; messageId: string; notificationId: number; receipt: DeliveryReceipt }[],
    now: number,
  ): Promise<Map<number, NotificationRow['status']>> {
    const statuses = new Map<number, NotificationRow['status']>();
    if (items.length === 0) return statuses;
    const ids = [...new Set(items.map((item) => item.notificationId))].sort((a, b) => a - b);
    // Receipts for two parts of one message can be applied at once; each would see the other part as
    // not yet delivered and neither would finish the message. The messages' row locks, taken in id
    // order, order them (SQLite's write transactions are serial already).
    const current =
      tx.dialect === 'postgres'
        ? (
            await sql<{
              id: number;
              status: NotificationRow['status'];
            }>`select id, status from notifications where id in (${sql.join(ids)}) order by id for update`.execute(tx.kysely)
          ).rows
        : await tx.kysely.selectFrom('notifications').select(['id', 'status']).where('id', 'in', ids).execute();
    for (const row of current) statuses.set(row.id, row.status);

    const firstFinal = new Map<string, (typeof items)[number]>();
    for (const item of items) {
      const key = `${item.provider}|${item.messageId}`;
      if (item.receipt.status !== 'sent' && !firstFinal.has(key)) firstFinal.set(key, item);
    }
    if (firstFinal.size > 0) {
      const finals = [...firstFinal.entries()];
      const partKey = sql`provider || '|' || message_id`;
      const byPart = (value: (item: (typeof items)[number]) => string | null) =>
        sql`case ${partKey} ${sql.join(
          finals.map(([key, item]) => sql`when ${key} then cast(${value(item)} as text)`),
          sql` `,
        )} end`;
      await sql`
        update provider_message_parts
           set status = ${byPart((item) => item.receipt.status)},
               provider_status = ${byPart((item) => item.receipt.providerStatus.slice(0, 40))},
               error_code = ${byPart((item) => item.receipt.errorCode?.slice(0, 40) ?? null)},
               updated_at = ${now}
         where provider in (${sql.join([...new Set(finals.map(([, item]) => item.provider))])})
           and message_id in (${sql.join([...new Set(finals.map(([, item]) => item.messageId))])})
           and status = 'sent'
           and ${partKey} in (${sql.join(finals.map(([key]) => key))})`.execute(tx.kysely);
    }

    const parts = await tx.kysely
      .selectFrom('provider_message_parts')
      .select(['notification_id', 'status', 'provider_status', 'error_code'])
      .where('notification_id', 'in', ids)
      .execute();
    const delivered: { id: number; at: number }[] = [];
    const failed: { id: number; reason: string; lastError: string }[] = [];
    for (const id of ids) {
      const own = parts.filter((p) => p.notification_id === id);
      const failedPart = own.find((p) => p.status === 'failed');
      if (failedPart) {
        failed.push({
          id,
          reason: receiptFailureReason(failedPart.provider_status ?? ''),
          lastError: `receipt ${failedPart.provider_status ?? ''}${failedPart.error_code ? ` err:${failedPart.error_code}` : ''}`.slice(
            0,
            500,
          ),
        });
      } else if (own.length > 0 && own.every((p) => p.status === 'delivered')) {
        const last = items.filter((item) => item.notificationId === id && item.receipt.status === 'delivered').at(-1);
        delivered.push({ id, at: last?.receipt.at ?? now });
      }
    }
    const byId = <T>(rows: readonly (T & { id: number })[], value: (row: T) => string | number, type: 'text' | 'bigint') =>
      sql`case id ${sql.join(
        rows.map((row) => sql`when ${row.id} then cast(${value(row)} as ${sql.raw(type)})`),
        sql` `,
      )} end`;
    const changed: NotificationRow[] = [];
    if (delivered.length > 0) {
      const { rows } = await sql<NotificationRow>`
        update notifications set status = 'delivered', delivered_at = ${byId(delivered, (d) => d.at, 'bigint')}, updated_at = ${now}
         where id in (${sql.join(delivered.map((d) => d.id))}) and status in ('sent', 'sending')
        returning *`.execute(tx.kysely);
      changed.push(...rows);
    }
    if (failed.length > 0) {
      const { rows } = await sql<NotificationRow>`
        update notifications set status = 'failed', failure_reason = ${byId(failed, (f) => f.reason, 'text')}, last_error = ${byId(failed, (f) => f.lastError, 'text')}, updated_at = ${now}
         where id in (${sql.join(failed.map((f) => f.id))}) and status in ('sent', 'sending')
        returning *`.execute(tx.kysely);
      changed.push(...rows);
    }
    for (const row of changed) {
      statuses.set(row.id, row.status);
      this.metrics.notificationsFinal.inc({ kind: row.kind, status: row.status });
      await this.callbacks.enqueue(tx, row, now);
    }
    return statuses;
  }
}
