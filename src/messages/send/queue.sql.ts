/**
 * The send queue's statements, one operation per function (graphile-worker style): claiming a batch,
 * keeping or giving back a lease, and settling a claimed row. Every change to a claimed row is
 * conditional on the claim (`status = 'sending'` and the claim's `attempts`): a row re-claimed by
 * another worker is never touched. Each runs a hot statement (platform/db/hot): prepared once per
 * dialect, never compiled per call.
 */
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

/** The claim ends in failure for good; the failed row, or undefined when it was no longer this claim's. */
export function markFailed(
  tx: DbHandle,
  row: NotificationRow,
  now: number,
  reason: string,
  detail: string,
): Promise<NotificationRow | undefined> {
  return hot(tx).markFailed(tx, row.id, row.attempts, now, reason, detail.slice(0, 500));
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
