/**
 * The send queue's statements, one operation per function (graphile-worker style): claiming a batch,
 * keeping or giving back a lease, and settling a claimed row. Every change to a claimed row is
 * conditional on the claim (`status = 'sending'` and the claim's `attempts`): a row re-claimed by
 * another worker is never touched.
 */
import { sql } from 'kysely';
import type { DbHandle } from '../../platform/db/database.js';
import type { SendOutcome } from '../../providers/provider.js';
import type { NotificationRow } from '../notification.repository.js';

/** A message the provider accepted, to record as sent. */
export interface SentItem {
  readonly row: NotificationRow;
  readonly provider: string;
  readonly outcome: SendOutcome;
}

/** Claims up to `limit` due rows (PostgreSQL: skipping rows another worker is claiming), leased until `leaseUntil`. */
export async function claimDue(db: DbHandle, limit: number, now: number, leaseUntil: number): Promise<NotificationRow[]> {
  const lock = db.dialect === 'postgres' ? sql`for update skip locked` : sql``;
  const result = await sql<NotificationRow>`
      update notifications
         set status = 'sending', attempts = attempts + 1, lease_until = ${leaseUntil},
             next_attempt_at = ${leaseUntil}, updated_at = ${now}
       where id in (
         select id from notifications
          where status in ('pending', 'sending') and next_attempt_at <= ${now}
          order by next_attempt_at
          limit ${limit}
          ${lock})
      returning *`.execute(db.kysely);
  return result.rows;
}

/** Extends the claim's lease; false when the row is no longer this claim's. */
export async function renewLease(db: DbHandle, row: NotificationRow, now: number, leaseUntil: number): Promise<boolean> {
  const renewed = await db.kysely
    .updateTable('notifications')
    .set({ lease_until: leaseUntil, next_attempt_at: leaseUntil, updated_at: now })
    .where('id', '=', row.id)
    .where('status', '=', 'sending')
    .where('attempts', '=', row.attempts)
    .executeTakeFirst();
  return Number(renewed.numUpdatedRows) > 0;
}

/** A failed attempt to try again at `nextAttemptAt` (the attempt spent). */
export async function retryLater(db: DbHandle, row: NotificationRow, now: number, nextAttemptAt: number, error: string): Promise<void> {
  await db.kysely
    .updateTable('notifications')
    .set({
      status: 'pending',
      next_attempt_at: nextAttemptAt,
      lease_until: null,
      last_error: error.slice(0, 500),
      updated_at: now,
    })
    .where('id', '=', row.id)
    .where('status', '=', 'sending')
    .where('attempts', '=', row.attempts)
    .execute();
}

/** Back to pending at `nextAttemptAt` without spending the attempt; `error` (when given) says why. */
export async function giveBack(db: DbHandle, row: NotificationRow, now: number, nextAttemptAt: number, error?: string): Promise<void> {
  await db.kysely
    .updateTable('notifications')
    .set({
      status: 'pending',
      attempts: row.attempts - 1,
      next_attempt_at: nextAttemptAt,
      lease_until: null,
      ...(error === undefined ? {} : { last_error: error.slice(0, 500) }),
      updated_at: now,
    })
    .where('id', '=', row.id)
    .where('status', '=', 'sending')
    .where('attempts', '=', row.attempts)
    .execute();
}

/** A claimed message that failed for good, to record as failed. */
export interface FailedItem {
  readonly row: NotificationRow;
  readonly reason: string;
  readonly detail: string;
}

/** The claims end in failure for good, in one UPDATE; the failed rows (a row no longer its claim's is left alone). */
export async function markFailed(tx: DbHandle, group: readonly FailedItem[], now: number): Promise<NotificationRow[]> {
  if (group.length === 0) return [];
  const byId = (value: (item: FailedItem) => string | number, type: 'text' | 'bigint') =>
    sql`case id ${sql.join(
      group.map((item) => sql`when ${item.row.id} then cast(${value(item)} as ${sql.raw(type)})`),
      sql` `,
    )} end`;
  const { rows } = await sql<NotificationRow>`
    update notifications
       set status = 'failed',
           failure_reason = ${byId((g) => g.reason, 'text')},
           last_error = ${byId((g) => g.detail.slice(0, 500), 'text')},
           lease_until = null, updated_at = ${now}
     where id in (${sql.join(group.map((g) => g.row.id))})
       and status = 'sending'
       and attempts = ${byId((g) => g.row.attempts, 'bigint')}
    returning *`.execute(tx.kysely);
  return rows;
}

/** One UPDATE for the whole group: a statement per message costs a round trip each on PostgreSQL. */
export async function markSent(tx: DbHandle, group: readonly SentItem[], now: number): Promise<NotificationRow[]> {
  const byId = <T>(value: (item: (typeof group)[number]) => T, type: 'text' | 'bigint') =>
    sql`case id ${sql.join(
      group.map((item) => sql`when ${item.row.id} then cast(${value(item)} as ${sql.raw(type)})`),
      sql` `,
    )} end`;
  const { rows } = await sql<NotificationRow>`
    update notifications
       set status = ${byId((g) => g.outcome.status, 'text')},
           provider = ${byId((g) => g.provider, 'text')},
           provider_message_id = ${byId((g) => g.outcome.providerMessageId, 'text')},
           sent_at = ${now},
           delivered_at = ${byId((g) => (g.outcome.status === 'delivered' ? now : null), 'bigint')},
           lease_until = null, last_error = null, updated_at = ${now}
     where id in (${sql.join(group.map((g) => g.row.id))})
       and status = 'sending'
       and attempts = ${byId((g) => g.row.attempts, 'bigint')}
    returning *`.execute(tx.kysely);
  return rows;
}
