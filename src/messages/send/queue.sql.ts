/**
 * The send queue's statements, one operation per function (graphile-worker style): claiming a batch,
 * keeping or giving back a lease, and settling a claimed row. Every change to a claimed row is
 * conditional on the claim (`status = 'sending'` and the claim's `attempts`): a row re-claimed by
 * another worker is never touched. Each runs a hot statement (platform/db/hot): prepared once per
 * dialect, never compiled per call — except `markFailed`, whose group builds a CASE per row (failures
 * for good are rare next to sends).
 */
import { sql } from 'kysely';
import type { DbHandle } from '../../platform/db/database.js';
import { hot } from '../../platform/db/hot/index.js';
import type { SendOutcome } from '../../providers/provider.js';
import type { NotificationRow } from '../notification.repository.js';

/** A message the provider accepted, to record as sent. */
export interface SentItem {
  readonly row: NotificationRow;
  readonly provider: string;
  readonly outcome: SendOutcome;
}

/** Claims up to `limit` due rows (PostgreSQL: skipping rows another worker is claiming), leased until `leaseUntil`. */
export function claimDue(db: DbHandle, limit: number, now: number, leaseUntil: number): Promise<NotificationRow[]> {
  return hot(db).claimDue(db, limit, now, leaseUntil);
}

/** Extends the claim's lease; false when the row is no longer this claim's. */
export function renewLease(db: DbHandle, row: NotificationRow, now: number, leaseUntil: number): Promise<boolean> {
  return hot(db).renewLease(db, row.id, row.attempts, now, leaseUntil);
}

/** A failed attempt to try again at `nextAttemptAt` (the attempt spent). */
export function retryLater(db: DbHandle, row: NotificationRow, now: number, nextAttemptAt: number, error: string): Promise<void> {
  return hot(db).retryLater(db, row.id, row.attempts, now, nextAttemptAt, error.slice(0, 500));
}

/** Back to pending at `nextAttemptAt` without spending the attempt; `error` (when given) says why. */
export function giveBack(db: DbHandle, row: NotificationRow, now: number, nextAttemptAt: number, error?: string): Promise<void> {
  return hot(db).giveBack(db, row.id, row.attempts, now, nextAttemptAt, error === undefined ? null : error.slice(0, 500));
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

/** One UPDATE for the whole group, whatever its size: a statement per message costs a round trip each on PostgreSQL. */
export function markSent(tx: DbHandle, group: readonly SentItem[], now: number): Promise<NotificationRow[]> {
  return hot(tx).markSent(
    tx,
    group.map(({ row, provider, outcome }) => ({
      id: row.id,
      attempts: row.attempts,
      status: outcome.status,
      provider,
      providerMessageId: outcome.providerMessageId,
    })),
    now,
  );
}
