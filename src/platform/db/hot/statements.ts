/**
 * Hot statements: the few that every look-up and every send runs (the MO and reply inserts, the
 * look-up by receipt code, the send queue's claim and settling updates). Each is written once per
 * dialect (`sqlite.ts`, `postgres.ts`) as fixed text that takes its rows as one JSON parameter, so it is
 * prepared once and never compiled by Kysely: better-sqlite3 keeps the prepared statement (see
 * ../sqlite.ts), and on PostgreSQL a text marked `/*hot:<name>*\/` runs as a `pg` named prepared
 * statement (see ../postgres.ts). Both run through Kysely's executor, so inside a transaction they use
 * its connection and report to the same outage health as every other statement. Both dialects return
 * the same rows.
 */
import { CompiledQuery, type Insertable, type Selectable } from 'kysely';
import type { DbHandle } from '../database.js';
import type { DeliveryReceiptTable, DossierTable, InboundMessageTable, NotificationTable, ProviderMessagePartTable } from '../schema.js';

export type HotNotification = Selectable<NotificationTable>;
export type HotNewNotification = Insertable<NotificationTable>;
export type HotNewInbound = Insertable<InboundMessageTable>;
export type HotDossier = Selectable<DossierTable>;
export type HotNewPart = Insertable<ProviderMessagePartTable>;
export type HotReceipt = Selectable<DeliveryReceiptTable>;

/** One accepted send to record as sent: `delivered_at` set when the provider said delivered. */
export interface HotSent {
  readonly id: number;
  readonly attempts: number;
  readonly status: 'sent' | 'delivered';
  readonly provider: string;
  readonly providerMessageId: string | null;
}

/** Per sender, the MOs of a period grouped by outcome and code (the SMS look-up guards). */
export interface HotSenderUsage {
  readonly sender: string | null;
  readonly outcome: InboundMessageTable['outcome'];
  readonly parsed_code: string | null;
  readonly n: number;
}

/** What each dialect module implements; the handle comes first, as in the repositories. */
export interface HotStatements {
  /** Dossiers by receipt key (any number of keys, one statement). */
  dossiersByKeys(db: DbHandle, keys: readonly string[]): Promise<HotDossier[]>;
  /** MOs of `senders` received after `since`, not from `exceptGateway`, counted per outcome and code. */
  senderUsage(db: DbHandle, senders: readonly string[], since: number, exceptGateways: readonly string[]): Promise<HotSenderUsage[]>;
  /** Inserts each row unless its dedupe key exists; the rows inserted. */
  insertNotifications(db: DbHandle, rows: readonly HotNewNotification[]): Promise<HotNotification[]>;
  /** Inserts each MO unless (gateway, gateway_message_id) exists; the keys inserted. */
  insertInbound(
    db: DbHandle,
    rows: readonly HotNewInbound[],
  ): Promise<{ readonly gateway: string; readonly gateway_message_id: string | null }[]>;
  claimDue(db: DbHandle, limit: number, now: number, leaseUntil: number): Promise<HotNotification[]>;
  renewLease(db: DbHandle, id: number, attempts: number, now: number, leaseUntil: number): Promise<boolean>;
  retryLater(db: DbHandle, id: number, attempts: number, now: number, nextAttemptAt: number, error: string): Promise<void>;
  /** Back to pending with one attempt less; `error` null keeps the last error. */
  giveBack(db: DbHandle, id: number, attempts: number, now: number, nextAttemptAt: number, error: string | null): Promise<void>;
  markSent(db: DbHandle, sent: readonly HotSent[], now: number): Promise<HotNotification[]>;
  /** PostgreSQL: transaction-scoped advisory locks on `keys`, taken in the order given (SQLite: nothing
   *  to do, its write transactions are serial). */
  lockKeys(db: DbHandle, keys: readonly string[]): Promise<void>;
  /** Inserts the message parts a provider answered with, unless (provider, message_id) exists. */
  insertParts(db: DbHandle, rows: readonly HotNewPart[]): Promise<void>;
  /** Receipts kept unmatched for these providers and ids, oldest first. */
  unmatchedReceipts(db: DbHandle, providers: readonly string[], ids: readonly string[]): Promise<HotReceipt[]>;
}

/** The columns a notification is inserted with (all but `id`), in one order for both dialects. */
export const NOTIFICATION_COLUMNS = [
  'dossier_id',
  'agency_code',
  'kind',
  'channel',
  'dedupe_key',
  'to_address',
  'to_ton',
  'to_npi',
  'carrier',
  'sender',
  'body',
  'encoding',
  'segments',
  'cost_vnd',
  'status',
  'failure_reason',
  'last_error',
  'attempts',
  'provider',
  'provider_message_id',
  'created_at',
  'send_after',
  'next_attempt_at',
  'lease_until',
  'sent_at',
  'delivered_at',
  'updated_at',
  'fallback_of',
  'payload',
  'sms_cost_vnd',
  'deidentified_at',
] as const satisfies readonly (keyof HotNewNotification)[];

/** The columns an MO is inserted with (all but `id`). */
export const INBOUND_COLUMNS = [
  'gateway',
  'gateway_message_id',
  'sender',
  'sender_e164',
  'short_code',
  'text',
  'outcome',
  'parsed_code',
  'dossier_id',
  'fee_vnd',
  'reply',
  'reply_notification_id',
  'received_at',
  'created_at',
  'deidentified_at',
] as const satisfies readonly (keyof HotNewInbound)[];

/** The columns a message part is inserted with. */
export const PART_COLUMNS = [
  'provider',
  'message_id',
  'notification_id',
  'part',
  'status',
  'provider_status',
  'error_code',
  'updated_at',
] as const satisfies readonly (keyof HotNewPart)[];

/** Rows as one JSON parameter: an array of arrays in `columns` order (absent values are null). */
export function jsonRows<R extends object>(rows: readonly R[], columns: readonly (keyof R)[]): string {
  return JSON.stringify(rows.map((row) => columns.map((column) => row[column] ?? null)));
}

/** Runs a hot statement's fixed text on `db` (the database or an open transaction); its rows. */
export async function runHot<R>(db: DbHandle, text: string, parameters: readonly unknown[]): Promise<R[]> {
  const { rows } = await db.kysely.executeQuery<R>(CompiledQuery.raw(text, parameters as unknown[]));
  return rows as R[];
}
