import { createHmac, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '../../platform/clock.js';
import type { Db, DbHandle } from '../../platform/db/database.js';
import type { AgencyService } from '../../reference/agency.service.js';
import { vnIso } from '../../lib/calendar/zone.js';
import type { NotificationRow } from '../notification.repository.js';
import { PollLoop } from '../../platform/poll-loop.js';

/** The JSON an agency's status callback receives, once per message and final status. */
export interface StatusCallbackPayload {
  readonly event: 'notification.status';
  readonly notificationId: number;
  readonly receiptCode: string | null;
  readonly agencyCode: string;
  readonly kind: string;
  readonly channel: 'sms' | 'email' | 'zalo';
  readonly to: string | null;
  readonly status: 'delivered' | 'failed';
  readonly failureReason: string | null;
  readonly provider: string | null;
  readonly segments: number;
  readonly costVnd: number;
  readonly sentAt: string | null;
  readonly occurredAt: string;
}

export const SIGNATURE_HEADER = 'x-motcua-signature';
export const TIMESTAMP_HEADER = 'x-motcua-timestamp';
export const DELIVERY_HEADER = 'x-motcua-delivery';

/** `sha256=<hex>` of HMAC-SHA256(secret, "<timestamp>.<body>"): the timestamp is signed so a captured
 *  request cannot be replayed later (receivers reject timestamps older than a few minutes). */
export function signCallback(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * Final message statuses for agencies that asked for them. A callback row is written in the same
 * transaction as the status it reports, so none is lost; the worker in status-callback.dispatcher.ts
 * posts it. The dedupe key makes a repeated final status (a duplicate receipt) a no-op.
 */
export class StatusCallbackService {
  constructor(
    private readonly db: Db,
    private readonly agencies: AgencyService,
  ) {}

  async enqueue(tx: DbHandle, row: NotificationRow, now: number): Promise<void> {
    if (!row.agency_code || (row.status !== 'delivered' && row.status !== 'failed')) return;
    const agency = await this.agencies.get(row.agency_code, tx);
    const url = agency?.settings.statusCallbackUrl;
    if (!url) return;
    const receipt =
      row.dossier_id === null
        ? null
        : await tx.kysely.selectFrom('dossiers').select('receipt_code').where('id', '=', row.dossier_id).executeTakeFirst();
    const payload: StatusCallbackPayload = {
      event: 'notification.status',
      notificationId: row.id,
      receiptCode: receipt?.receipt_code ?? null,
      agencyCode: row.agency_code,
      kind: row.kind,
      channel: row.channel,
      to: row.to_address,
      status: row.status,
      failureReason: row.failure_reason,
      provider: row.provider,
      segments: row.segments,
      costVnd: row.cost_vnd,
      sentAt: vnIso(row.sent_at),
      occurredAt: vnIso(now),
    };
    const values = {
      agency_code: row.agency_code,
      notification_id: row.id,
      dedupe_key: `${row.id}|${row.status}`,
      url,
      payload: JSON.stringify(payload),
      status: 'pending' as const,
      attempts: 0,
      created_at: now,
      next_attempt_at: now,
      updated_at: now,
    };
    await tx.kysely
      .insertInto('status_callbacks')
      .values(values)
      .onConflict((oc) => oc.column('dedupe_key').doNothing())
      .execute();
  }

  /** A new signing secret for the agency (the previous one stops working); shown once. */
  async rotateSecret(agencyCode: string, now: number): Promise<string> {
    const secret = randomBytes(32).toString('base64url');
    await this.db.kysely
      .insertInto('agency_secrets')
      .values({ agency_code: agencyCode, callback_secret: secret, created_at: now })
      .onConflict((oc) => oc.column('agency_code').doUpdateSet({ callback_secret: secret, created_at: now }))
      .execute();
    return secret;
  }

  async secretOf(agencyCode: string): Promise<string | null> {
    const row = await this.db.kysely
      .selectFrom('agency_secrets')
      .select('callback_secret')
      .where('agency_code', '=', agencyCode)
      .executeTakeFirst();
    return row?.callback_secret ?? null;
  }

  async list(agencyCode: string | null, limit: number) {
    let query = this.db.kysely.selectFrom('status_callbacks').selectAll().orderBy('id', 'desc').limit(limit);
    if (agencyCode) query = query.where('agency_code', '=', agencyCode);
    return query.execute();
  }
}

export interface CallbackWorkerOptions {
  readonly pollMs: number;
  readonly timeoutMs: number;
  readonly maxAttempts: number;
  readonly batchSize: number;
}

/** 30 s, 1 min, 2 min … capped at 1 h: ten attempts cover about eight hours of an agency's outage. */
export function callbackRetryDelayMs(attempt: number): number {
  return Math.min(3_600_000, 30_000 * 2 ** Math.max(0, attempt - 1));
}

/** Posts due callbacks. Claims rows like the message dispatcher (one statement, a lease, SKIP LOCKED on PostgreSQL). */
export class StatusCallbackWorker {
  private readonly loop: PollLoop;

  constructor(
    private readonly db: Db,
    private readonly callbacks: StatusCallbackService,
    private readonly options: CallbackWorkerOptions,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {
    this.loop = new PollLoop(() => this.runOnce(), { pollMs: options.pollMs, pokeDelayMs: 0, label: 'status callback batch' }, logger);
  }

  async runOnce(): Promise<number> {
    const now = this.clock.now();
    const leaseUntil = now + this.options.timeoutMs * 2;
    const lock = this.db.dialect === 'postgres' ? sql`for update skip locked` : sql``;
    const { rows } = await sql<{ id: number; agency_code: string; url: string; payload: string; attempts: number }>`
      update status_callbacks
         set status = 'sending', attempts = attempts + 1, next_attempt_at = ${leaseUntil}, updated_at = ${now}
       where id in (
         select id from status_callbacks
          where status in ('pending', 'sending') and next_attempt_at <= ${now}
          order by next_attempt_at
          limit ${this.options.batchSize}
          ${lock})
      returning id, agency_code, url, payload, attempts`.execute(this.db.kysely);
    await Promise.all(rows.map((row) => this.post(row)));
    return rows.length;
  }

  private async post(row: { id: number; agency_code: string; url: string; payload: string; attempts: number }): Promise<void> {
    const secret = await this.callbacks.secretOf(row.agency_code);
    if (!secret) {
      await this.finish(row, 'failed', null, 'no_callback_secret: POST /api/v1/agencies/{code}/callback-secret creates one');
      return;
    }
    const timestamp = Math.floor(this.clock.now() / 1000);
    let status: number | null = null;
    let error: string | null = null;
    try {
      const response = await fetch(row.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'user-agent': 'MotcuaSMS-callback/1',
          [TIMESTAMP_HEADER]: String(timestamp),
          [SIGNATURE_HEADER]: signCallback(secret, timestamp, row.payload),
          [DELIVERY_HEADER]: String(row.id),
        },
        body: row.payload,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      status = response.status;
      await response.body?.cancel();
      if (status >= 200 && status < 300) {
        await this.finish(row, 'delivered', status, null);
        return;
      }
      error = `HTTP ${status}`;
    } catch (caught) {
      error = (caught as Error).message;
    }
    // The receiver's own refusal (a 4xx other than timeout/too-many) will not change by retrying.
    const permanent = status !== null && status >= 400 && status < 500 && status !== 408 && status !== 425 && status !== 429;
    if (permanent || row.attempts >= this.options.maxAttempts) {
      this.logger.warn({ callbackId: row.id, agency: row.agency_code, status, error }, 'status callback given up');
      await this.finish(row, 'failed', status, error);
      return;
    }
    const now = this.clock.now();
    await this.db.kysely
      .updateTable('status_callbacks')
      .set({
        status: 'pending',
        next_attempt_at: now + callbackRetryDelayMs(row.attempts),
        last_error: error,
        response_status: status,
        updated_at: now,
      })
      .where('id', '=', row.id)
      .where('status', '=', 'sending')
      .execute();
  }

  private async finish(
    row: { id: number },
    status: 'delivered' | 'failed',
    responseStatus: number | null,
    error: string | null,
  ): Promise<void> {
    const now = this.clock.now();
    await this.db.kysely
      .updateTable('status_callbacks')
      .set({
        status,
        response_status: responseStatus,
        last_error: error,
        delivered_at: status === 'delivered' ? now : null,
        updated_at: now,
      })
      .where('id', '=', row.id)
      .where('status', '=', 'sending')
      .execute();
  }

  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
  }
}
