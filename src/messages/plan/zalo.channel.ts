/**
 * Zalo first, SMS as the fallback (issue 17): which notifications go by Zalo, what a Zalo notification
 * carries, and the SMS that replaces one Zalo could not deliver. Rows are written here (plan/ is the only
 * writer of notification rows), through the outbox's one insert.
 *
 * Never both, never neither: a Zalo notification that fails for good (a permanent answer, retries used up,
 * no provider, no usable token) or that has no delivery event within `fallbackAfterSeconds` is marked failed
 * and, in the same transaction, gets one SMS (dedupe key `<zalo key>|sms`, so a replay adds nothing) linked by
 * `fallback_of`. Only the timeout case can end with both: a delivery event that comes after the SMS was
 * created is recorded on the Zalo row (`delivered_at`, status stays failed/zalo_no_receipt) and counted.
 */
import type { Logger } from 'pino';
import { sql } from 'kysely';
import { transaction, type Db, type DbHandle } from '../../platform/db/database.js';
import type { Clock } from '../../platform/clock.js';
import type { Config } from '../../platform/config/config.js';
import type { Metrics } from '../../platform/metrics.js';
import { PollLoop } from '../../platform/poll-loop.js';
import type { AgencySettings } from '../../reference/agency.settings.js';
import type { AgencyService } from '../../reference/agency.service.js';
import { prepareSms } from '../../lib/sms-text/encode.js';
import { renderTemplate, type TemplateVars } from '../../lib/sms-text/template.js';
import { parseZaloOptions, type ZaloOptions, type ZaloPayload } from '../../providers/adapters/zalo/zalo.provider.js';
import type { NewNotification, NotificationRow } from '../notification.repository.js';
import type { StatusCallbackService } from '../callbacks/status-callback.service.js';
import { outsideQuietHours } from './notification.schedule.js';

/** The failure reason of a Zalo notification that had no delivery event in time. */
export const ZALO_NO_RECEIPT = 'zalo_no_receipt';

export interface ZaloSetup {
  readonly provider: string;
  readonly options: ZaloOptions;
}

/** The configured zalo_zns provider (the first, when several), or null: then everything goes by SMS. */
export function zaloSetup(config: Config): ZaloSetup | null {
  const spec = config.sms.providers.find((p) => p.type === 'zalo_zns');
  return spec ? { provider: spec.name, options: parseZaloOptions(spec.options, `provider "${spec.name}"`) } : null;
}

/** The Zalo payload for a kind, rendered with the dossier's values; null when this notification goes by SMS. */
export function zaloPayloadFor(setup: ZaloSetup | null, settings: AgencySettings, kind: string, vars: TemplateVars): ZaloPayload | null {
  if (!setup || settings.channels[0] !== 'zalo') return null;
  const template = setup.options.templates[kind];
  if (!template) return null;
  const data = Object.fromEntries(Object.entries(template.data).map(([param, text]) => [param, renderTemplate(text, vars)]));
  return { templateId: template.templateId, data };
}

/** The SMS that replaces a Zalo notification: same dossier, kind, number and text, the agency's quiet hours. */
export function fallbackSms(
  zalo: NotificationRow & { body: string },
  settings: AgencySettings,
  sms: { brandname: string; priceFor: (carrier: string | null) => number },
  now: number,
): NewNotification {
  const prepared = prepareSms(zalo.body, settings.smsEncoding);
  // The hold was spent before the Zalo notification left; quiet hours apply again to the SMS.
  const leaveAt = outsideQuietHours(now, settings.quietHours);
  return {
    dossier_id: zalo.dossier_id === null ? null : zalo.dossier_id,
    agency_code: zalo.agency_code,
    kind: zalo.kind,
    channel: 'sms',
    dedupe_key: `${zalo.dedupe_key}|sms`,
    to_address: zalo.to_address,
    carrier: zalo.carrier,
    sender: sms.brandname,
    body: prepared.body,
    encoding: prepared.dataCoding,
    segments: prepared.segments,
    cost_vnd: prepared.segments * sms.priceFor(zalo.carrier),
    status: 'pending',
    failure_reason: null,
    attempts: 0,
    created_at: now,
    send_after: leaveAt,
    next_attempt_at: leaveAt,
    updated_at: now,
    fallback_of: zalo.id,
  };
}

/** What the fallback needs from the outbox (the one way rows enter it). */
export interface OutboxWriter {
  insert(tx: DbHandle, rows: readonly NewNotification[]): Promise<NotificationRow[]>;
  priceFor(carrier: string | null): number;
}

const SWEEP_BATCH = 500;

export class ZaloFallback {
  private readonly loop: PollLoop;

  constructor(
    private readonly db: Db,
    private readonly config: Config,
    private readonly setup: ZaloSetup | null,
    private readonly agencies: AgencyService,
    private readonly outbox: OutboxWriter,
    private readonly callbacks: StatusCallbackService,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly metrics: Metrics,
  ) {
    this.loop = new PollLoop(() => this.sweep(), { pollMs: 5_000, pokeDelayMs: 20, label: 'zalo fallback sweep' }, logger);
  }

  /** Inside the transaction that failed Zalo notifications for good: their SMS replacements, in one insert. */
  async afterFailure(tx: DbHandle, failed: readonly NotificationRow[], now: number): Promise<void> {
    const replacements: NewNotification[] = [];
    const reasons = new Map<string, string>();
    for (const zalo of failed) {
      // A body erased at the citizen's request (data-subject erase) leaves nothing to send by SMS.
      if (zalo.channel !== 'zalo' || zalo.status !== 'failed' || zalo.body === null) continue;
      const agency = zalo.agency_code ? await this.agencies.get(zalo.agency_code, tx) : null;
      if (!agency) continue;
      const sms = fallbackSms(
        { ...zalo, body: zalo.body },
        agency.settings,
        { brandname: this.config.sms.brandname, priceFor: (c) => this.outbox.priceFor(c) },
        now,
      );
      replacements.push(sms);
      reasons.set(sms.dedupe_key, zalo.failure_reason ?? 'failed');
    }
    if (replacements.length === 0) return;
    for (const row of await this.outbox.insert(tx, replacements)) {
      this.metrics.zaloFallbacks.inc({ reason: reasons.get(row.dedupe_key) ?? 'failed' });
    }
  }

  /** Zalo notifications sent longer than `fallbackAfterSeconds` ago with no delivery event: failed, and an SMS each. */
  async sweep(): Promise<number> {
    if (!this.setup) return 0;
    const now = this.clock.now();
    const before = now - this.setup.options.fallbackAfterSeconds * 1000;
    const due = await this.db.kysely
      .selectFrom('notifications')
      .select('id')
      .where('channel', '=', 'zalo')
      .where('status', '=', 'sent')
      .where('sent_at', '<=', before)
      .orderBy('id')
      .limit(SWEEP_BATCH)
      .execute();
    if (due.length === 0) return 0;
    return transaction(this.db, async (tx) => {
      const { rows } = await sql<NotificationRow>`
        update notifications
           set status = 'failed', failure_reason = ${ZALO_NO_RECEIPT},
               last_error = ${`no delivery event within ${this.setup!.options.fallbackAfterSeconds} s`}, updated_at = ${now}
         where id in (${sql.join(due.map((d) => d.id))}) and status = 'sent'
        returning *`.execute(tx.kysely);
      for (const row of rows) await this.callbacks.enqueue(tx, row, now);
      await this.afterFailure(tx, rows, now);
      if (rows.length > 0) this.logger.info({ count: rows.length }, 'zalo notifications without a delivery event: sent by SMS instead');
      return rows.length;
    });
  }

  /** A delivery event for a Zalo notification already replaced by an SMS (the timeout case): recorded, counted. */
  async recordLate(notificationId: number, at: number | null): Promise<boolean> {
    const now = this.clock.now();
    const result = await this.db.kysely
      .updateTable('notifications')
      .set({ delivered_at: at ?? now, updated_at: now })
      .where('id', '=', notificationId)
      .where('channel', '=', 'zalo')
      .where('status', '=', 'failed')
      .where('failure_reason', '=', ZALO_NO_RECEIPT)
      .where('delivered_at', 'is', null)
      .executeTakeFirst();
    const late = Number(result.numUpdatedRows) > 0;
    if (late) this.metrics.zaloFallbacks.inc({ reason: 'late_zalo_delivery' });
    return late;
  }

  start(): void {
    if (this.setup) this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
  }
}
