/**
 * The personal-data retention job (Law 91/2025/QH15, docs/personal-data.md): de-identifies in place what
 * has outlived its purpose, in small batches (one short transaction each), so it never holds a long lock.
 * Idempotent and resumable: a row is chosen only while it still holds personal data, so a rerun (after a
 * kill, or the next night) picks up where the last one stopped and finds nothing twice.
 *
 * What stays is what the oversight figures read: states, steps, times, carrier, the phone's problem,
 * kind, segments, encoding, cost, status and failure reason — every past figure is the same afterwards.
 */
import { sql } from 'kysely';
import type { RetentionSettings } from '../platform/config/config.js';
import { type Db, type DbHandle, transaction } from '../platform/db/database.js';
import { TERMINAL_STATES } from '../dossiers/dossier.state-machine.js';
import { MS_PER_DAY } from '../lib/calendar/zone.js';
import { WEB_LOOKUP_GATEWAY } from '../inbound/lookup.billing.js';

export interface RetentionCounts {
  /** Dossiers whose applicant name, numbers and e-mail were removed. */
  dossiers: number;
  /** Messages whose recipient and body were removed. */
  notifications: number;
  /** Status callbacks (to agencies) whose copy of the recipient was removed. */
  statusCallbacks: number;
  /** MOs (look-ups) whose sender and text were removed. */
  inbound: number;
  /** Login attempts deleted. */
  loginAttempts: number;
  /** Expired sessions deleted (they hold a client address). */
  sessions: number;
  /** Audit rows whose client address was removed (the rows stay). */
  auditAddresses: number;
}

export const emptyCounts = (): RetentionCounts => ({
  dossiers: 0,
  notifications: 0,
  statusCallbacks: 0,
  inbound: 0,
  loginAttempts: 0,
  sessions: 0,
  auditAddresses: 0,
});

export const FINAL_STATES: readonly string[] = [...TERMINAL_STATES];
/** A message in one of these has not reached its final status yet. */
export const UNFINISHED_STATUSES: readonly string[] = ['pending', 'sending'];

export interface RetentionProgress {
  /** Called after each committed batch (the scheduler renews its claim here; `motcua retention` prints it). */
  onBatch?(kind: keyof RetentionCounts, rows: number): Promise<void> | void;
}

type Id = number;

export class RetentionService {
  constructor(
    private readonly db: Db,
    private readonly settings: RetentionSettings,
  ) {}

  /** The instants before which each kind of record is due, as of `asOf`. */
  cutoffs(asOf: number) {
    const s = this.settings;
    return {
      dossier: asOf - s.dossierDays * MS_PER_DAY,
      message: asOf - s.messageDays * MS_PER_DAY,
      inbound: asOf - s.inboundDays * MS_PER_DAY,
      login: asOf - s.loginAttemptDays * MS_PER_DAY,
      audit: asOf - s.auditAddressDays * MS_PER_DAY,
    };
  }

  /** Runs the job as of `asOf` (records older than their period at that instant); `now` stamps what it changes. */
  async run(asOf: number, now: number, progress: RetentionProgress = {}): Promise<RetentionCounts> {
    const cut = this.cutoffs(asOf);
    const counts = emptyCounts();
    const step = async (kind: keyof RetentionCounts, batch: (after: Id) => Promise<{ rows: number; last: Id | null }>) => {
      let after: Id = 0;
      for (;;) {
        const { rows, last } = await batch(after);
        if (rows > 0) {
          counts[kind] += rows;
          await progress.onBatch?.(kind, rows);
        }
        if (last === null) return;
        after = last;
      }
    };
    // Messages before dossiers: a message waits for its dossier to close, never the other way round.
    await step('notifications', (after) => this.notificationBatch(after, cut.message, now, counts));
    await step('dossiers', (after) => this.dossierBatch(after, cut.dossier, now));
    await step('inbound', (after) => this.inboundBatch(after, cut.inbound, now));
    await step('loginAttempts', (after) => this.loginBatch(after, cut.login));
    // A session is never cut short: only those expired (really, not as of a future `asOf`) go.
    await step('sessions', (after) => this.sessionBatch(after, Math.min(cut.login, now)));
    await step('auditAddresses', (after) => this.auditBatch(after, cut.audit));
    return counts;
  }

  /** Ids of the next batch after `after` (keyset, so the whole table is read once per run), or the end. */
  private async ids(query: (after: Id, limit: number) => Promise<Array<{ id: Id }>>, after: Id) {
    const rows = await query(after, this.settings.batchSize);
    const ids = rows.map((r) => r.id);
    return { ids, last: rows.length < this.settings.batchSize ? null : (ids[ids.length - 1] ?? null) };
  }

  /** Closed dossiers last changed before the cutoff, or closed with an erase request pending. */
  private async dossierBatch(after: Id, cutoff: number, now: number) {
    return transaction(this.db, async (tx) => {
      const { ids, last } = await this.ids(
        (a, limit) =>
          tx.kysely
            .selectFrom('dossiers')
            .select('id')
            .where('id', '>', a)
            .where('deidentified_at', 'is', null)
            .where(sql.ref('state'), 'in', FINAL_STATES)
            .where((eb) => eb.or([eb('updated_at', '<', cutoff), eb('erase_requested_at', 'is not', null)]))
            .orderBy('id')
            .limit(limit)
            .execute(),
        after,
      );
      return { rows: await deidentifyDossiers(tx, ids, now), last };
    });
  }

  /** Messages in a final status since before the cutoff whose dossier (if any) is closed. */
  private async notificationBatch(after: Id, cutoff: number, now: number, counts: RetentionCounts) {
    return transaction(this.db, async (tx) => {
      const { ids, last } = await this.ids(
        (a, limit) =>
          tx.kysely
            .selectFrom('notifications as n')
            .select('n.id')
            .where('n.id', '>', a)
            .where('n.deidentified_at', 'is', null)
            .where(sql.ref('n.status'), 'not in', UNFINISHED_STATUSES)
            .where('n.updated_at', '<', cutoff)
            .where(({ not, exists, selectFrom }) =>
              not(
                exists(
                  selectFrom('dossiers as d')
                    .select(sql.lit(1).as('one'))
                    .whereRef('d.id', '=', 'n.dossier_id')
                    .where(sql.ref('d.state'), 'not in', FINAL_STATES),
                ),
              ),
            )
            .orderBy('n.id')
            .limit(limit)
            .execute(),
        after,
      );
      const done = await deidentifyNotifications(tx, ids, now);
      counts.statusCallbacks += done.callbacks;
      return { rows: done.notifications, last };
    });
  }

  private async inboundBatch(after: Id, cutoff: number, now: number) {
    return transaction(this.db, async (tx) => {
      const { ids, last } = await this.ids(
        (a, limit) =>
          tx.kysely
            .selectFrom('inbound_messages')
            .select('id')
            .where('id', '>', a)
            .where('deidentified_at', 'is', null)
            .where('gateway', '!=', WEB_LOOKUP_GATEWAY) // web look-ups hold nothing personal (lookup.billing.ts)
            .where('received_at', '<', cutoff)
            .orderBy('id')
            .limit(limit)
            .execute(),
        after,
      );
      return { rows: await deidentifyInbound(tx, ids, now), last };
    });
  }

  private async loginBatch(after: Id, cutoff: number) {
    return transaction(this.db, async (tx) => {
      const { ids, last } = await this.ids(
        (a, limit) =>
          tx.kysely
            .selectFrom('web_login_attempts')
            .select('id')
            .where('id', '>', a)
            .where('at', '<', cutoff)
            .orderBy('id')
            .limit(limit)
            .execute(),
        after,
      );
      if (ids.length === 0) return { rows: 0, last };
      const result = await tx.kysely.deleteFrom('web_login_attempts').where('id', 'in', ids).executeTakeFirst();
      return { rows: Number(result.numDeletedRows), last };
    });
  }

  private async sessionBatch(_after: Id, cutoff: number) {
    return transaction(this.db, async (tx) => {
      const rows = await tx.kysely
        .selectFrom('web_sessions')
        .select('id_hash')
        .where('expires_at', '<', cutoff)
        .limit(this.settings.batchSize)
        .execute();
      if (rows.length === 0) return { rows: 0, last: null };
      const result = await tx.kysely
        .deleteFrom('web_sessions')
        .where(
          'id_hash',
          'in',
          rows.map((r) => r.id_hash),
        )
        .executeTakeFirst();
      // Deleted rows leave the selection: start again from the beginning until none is left.
      return { rows: Number(result.numDeletedRows), last: rows.length < this.settings.batchSize ? null : 0 };
    });
  }

  private async auditBatch(after: Id, cutoff: number) {
    return transaction(this.db, async (tx) => {
      const { ids, last } = await this.ids(
        (a, limit) =>
          tx.kysely
            .selectFrom('web_audit')
            .select('id')
            .where('id', '>', a)
            .where('at', '<', cutoff)
            .where('ip', 'is not', null)
            .orderBy('id')
            .limit(limit)
            .execute(),
        after,
      );
      if (ids.length === 0) return { rows: 0, last };
      const result = await tx.kysely.updateTable('web_audit').set({ ip: null }).where('id', 'in', ids).executeTakeFirst();
      return { rows: Number(result.numUpdatedRows), last };
    });
  }
}

/** Name, numbers, e-mail and the folded name go; carrier, the phone's problem, states and times stay. */
export async function deidentifyDossiers(tx: DbHandle, ids: readonly Id[], now: number): Promise<number> {
  if (ids.length === 0) return 0;
  const result = await tx.kysely
    .updateTable('dossiers')
    .set({
      applicant_name: null,
      search_name: null,
      phone_input: null,
      phone_e164: null,
      email: null,
      deidentified_at: now,
      erase_requested_at: null,
    })
    .where('id', 'in', ids)
    .where('deidentified_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Recipient, body (and a Zalo message's template data), the provider's last error text go (and the recipient in the agency's callback
 *  copies); kind, carrier, segments, encoding, cost, status, reason and times stay. */
export async function deidentifyNotifications(tx: DbHandle, ids: readonly Id[], now: number) {
  if (ids.length === 0) return { notifications: 0, callbacks: 0 };
  const result = await tx.kysely
    .updateTable('notifications')
    .set({ to_address: null, body: null, payload: null, last_error: null, deidentified_at: now })
    .where('id', 'in', ids)
    .where('deidentified_at', 'is', null)
    .executeTakeFirst();
  const callbacks = await tx.kysely.selectFrom('status_callbacks').select(['id', 'payload']).where('notification_id', 'in', ids).execute();
  let changed = 0;
  for (const callback of callbacks) {
    const payload = JSON.parse(callback.payload) as Record<string, unknown>;
    if (payload.to === null || payload.to === undefined) continue;
    payload.to = null;
    await tx.kysely
      .updateTable('status_callbacks')
      .set({ payload: JSON.stringify(payload) })
      .where('id', '=', callback.id)
      .execute();
    changed++;
  }
  return { notifications: Number(result.numUpdatedRows), callbacks: changed };
}

/** Sender, text and the reply's copy go (the reply message itself follows the messages' rule); outcome,
 *  the code asked for, the fee and times stay. */
export async function deidentifyInbound(tx: DbHandle, ids: readonly Id[], now: number): Promise<number> {
  if (ids.length === 0) return 0;
  const result = await tx.kysely
    .updateTable('inbound_messages')
    .set({ sender: null, sender_e164: null, text: null, reply: null, deidentified_at: now })
    .where('id', 'in', ids)
    .where('deidentified_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
