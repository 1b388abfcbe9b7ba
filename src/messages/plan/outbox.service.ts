import type { DbHandle } from '../../platform/db/database.js';
import type { Agency } from '../../reference/agency.service.js';
import type { AgencySettings } from '../../reference/agency.settings.js';
import type { Procedure } from '../../reference/procedure.service.js';
import type { DossierRow } from '../../dossiers/dossier.repository.js';
import type { DossierState } from '../../dossiers/dossier.state-machine.js';
import { deadlineStatus } from '../../dossiers/dossier.deadline.js';
import { STATE_LABELS } from '../../dossiers/dossier.labels.js';
import { formatHhMm, formatVnDate, localDate, localMinutes } from '../../lib/calendar/zone.js';
import { prepareSms, type SmsEncoding } from '../../lib/sms-text/encode.js';
import type { Signal } from '../../platform/db/signal.js';
import type { Config } from '../../platform/config/config.js';
import {
  cancelPending,
  cancelPendingByIds,
  insertNotifications,
  listNotificationsForDossier,
  occurrenceOf,
  type NewNotification,
  type NotificationRow,
} from '../notification.repository.js';
import { toNotificationJson } from '../notification.view.js';
import type { NotificationJson } from '../../platform/http/schemas.js';
import type { DossierIntake, DossierMessages, DossierTransition, HeldMessage } from '../../dossiers/dossier.messages.js';
import { planForIntake, planForTransition, type PlannedMessage } from './notification.rules.js';
import { sendAfter } from './notification.schedule.js';
import { privacyLinkFor, privacyLinkText, renderFor, type TemplateVars } from './notification.templates.js';
import type { NotificationKind } from '../catalogue.js';
import { zaloPayloadFor, zaloSetup, type ZaloSetup } from './zalo.channel.js';

/** Why an SMS cannot reach the applicant, as recorded on the failed notification. */
const PHONE_FAILURE: Readonly<Record<string, string>> = {
  missing: 'no_phone',
  invalid: 'invalid_phone',
  landline: 'landline',
  foreign: 'foreign_phone',
};

/** What a message about this dossier may say (never the applicant's name or phone). */
export function dossierVars(
  dossier: DossierRow,
  agencyName: string,
  procedureName: string,
  now: number,
  shortCode: string,
  keyword: string,
): TemplateVars {
  const due = new Date(dossier.due_at);
  // A refused, withdrawn or stopped dossier has no deadline left: its message names the state instead.
  const { statusText } = deadlineStatus(dossier, now);
  return {
    receiptCode: dossier.receipt_code,
    agencyName,
    dueDate: formatVnDate(localDate(due)),
    dueTime: formatHhMm(localMinutes(due)),
    step: dossier.step,
    statusText: statusText ?? STATE_LABELS[dossier.state as DossierState].vi,
    procedureName,
    shortCode,
    lookupSyntax: `${keyword} ${dossier.receipt_code} gửi ${shortCode}`,
    returnedDate: dossier.returned_at === null ? '' : formatVnDate(localDate(new Date(dossier.returned_at))),
  };
}

/** The procedure columns the batches (apology, overdue warning) join to each dossier they scan. */
export const JOINED_PROCEDURE_COLUMNS = [
  'procedures.processing_days',
  'procedures.name as procedure_name',
  'procedures.day_kind',
  'procedures.supplement_rule',
] as const;

export function joinedProcedure(row: {
  procedure_code: string;
  agency_code: string;
  processing_days: number;
  procedure_name: string;
  day_kind: Procedure['dayKind'];
  supplement_rule: Procedure['supplementRule'];
}): Procedure {
  return {
    code: row.procedure_code,
    agencyCode: row.agency_code,
    name: row.procedure_name,
    processingDays: row.processing_days,
    dayKind: row.day_kind,
    supplementRule: row.supplement_rule,
  };
}

/** Turns planned messages into outbox rows inside the caller's transaction. The dedupe key
 *  (receipt code, kind, occurrence) makes a replay or a concurrent duplicate insert nothing. */
export class OutboxService implements DossierMessages {
  /** The Zalo provider's templates, when one is configured (issue 17). */
  readonly zalo: ZaloSetup | null;

  constructor(
    private readonly config: Config,
    /** Rung whenever rows are added, so the dispatchers of every process wake without waiting for their poll. */
    private readonly signal: Signal,
  ) {
    this.zalo = zaloSetup(config);
  }

  /** The privacy link as messages end with it when an agency switches it on (from MOTCUA_PUBLIC_URL). */
  get privacyLink(): string {
    return privacyLinkText(this.config.sms.publicBaseUrl);
  }

  /** What a message of this template ends with for an agency with these settings: the privacy link or ''. */
  privacyLinkFor(template: string, settings: AgencySettings): string {
    return privacyLinkFor(template, settings, this.config.sms.publicBaseUrl);
  }

  priceFor(carrier: string | null): number {
    const table = this.config.sms.pricePerSegmentVnd;
    return (carrier ? table[carrier] : undefined) ?? table.default ?? 0;
  }

  /** The one way rows enter the outbox: inserted under their dedupe keys (a replay inserts nothing),
   *  then the dispatchers are woken once the caller's transaction commits. */
  async insert(tx: DbHandle, rows: readonly NewNotification[]): Promise<NotificationRow[]> {
    const inserted = await insertNotifications(tx, rows);
    if (inserted.some((row) => row.status === 'pending')) await this.signal.ring(tx);
    return inserted;
  }

  /** The reply to a look-up MO, sent from the short code back to the address that asked, whatever it
   *  is (the carrier delivered the MO and routes the answer; only notifications we start need a
   *  Vietnamese mobile). `address`: its SMPP TON/NPI as the SMSC gave them. `viaResponse`: the gateway
   *  sends it from our HTTP answer, so it is recorded as sent. `claimUntil`: the row is inserted already
   *  claimed (status `sending`, one attempt, leased until then) for the look-up fast path, which hands it
   *  to this process's dispatcher once committed; should that send never happen, the lease runs out and
   *  the ordinary claim takes it. */
  lookupReply(input: {
    dedupeKey: string;
    to: string;
    address: { ton: number; npi: number } | null;
    carrier: string | null;
    text: string;
    encoding: SmsEncoding;
    dossier: { id: number; agencyCode: string } | null;
    viaResponse: { gateway: string } | null;
    claimUntil?: number | null;
    now: number;
  }): NewNotification {
    const sms = prepareSms(input.text, input.encoding);
    const reachable = input.to.trim() !== '';
    const { now, viaResponse } = input;
    const claimed = !viaResponse && reachable && input.claimUntil !== undefined && input.claimUntil !== null ? input.claimUntil : null;
    return {
      dossier_id: input.dossier?.id ?? null,
      agency_code: input.dossier?.agencyCode ?? null,
      kind: 'lookup_reply',
      channel: 'sms',
      dedupe_key: input.dedupeKey,
      to_address: input.to,
      to_ton: input.address?.ton ?? null,
      to_npi: input.address?.npi ?? null,
      carrier: input.carrier,
      sender: this.config.lookup.shortCode,
      body: sms.body,
      encoding: sms.dataCoding,
      segments: sms.segments,
      cost_vnd: reachable ? sms.segments * this.priceFor(input.carrier) : 0,
      status: viaResponse ? 'sent' : claimed !== null ? 'sending' : reachable ? 'pending' : 'failed',
      failure_reason: viaResponse || reachable ? null : 'no_phone',
      attempts: viaResponse || claimed !== null ? 1 : 0,
      provider: viaResponse?.gateway ?? null,
      created_at: now,
      send_after: now,
      next_attempt_at: claimed ?? now,
      lease_until: claimed,
      sent_at: viaResponse ? now : null,
      updated_at: now,
    };
  }

  async afterIntake(tx: DbHandle, intake: DossierIntake): Promise<NotificationJson[]> {
    const plan = planForIntake(
      { submittedVia: intake.submittedVia, processingDays: intake.procedure.processingDays },
      intake.agency.settings,
    );
    const rows = plan.create.flatMap((m) => this.rowsFor(m, intake.dossier, intake.agency, intake.procedure, intake.now));
    return (await this.insert(tx, rows)).map(toNotificationJson);
  }

  async afterTransition(tx: DbHandle, change: DossierTransition): Promise<NotificationJson[]> {
    const plan = planForTransition(
      {
        before: change.beforeState,
        after: change.dossier.state as DossierState,
        eventType: change.eventType,
        seq: change.seq,
        returnMethod: change.dossier.return_method,
        processingDays: change.procedure.processingDays,
      },
      change.agency.settings,
    );
    await cancelPending(tx, change.dossier.id, plan.cancelKinds, change.now);
    const rows = plan.create.flatMap((m) => this.rowsFor(m, change.dossier, change.agency, change.procedure, change.now));
    return (await this.insert(tx, rows)).map(toNotificationJson);
  }

  async afterUndo(tx: DbHandle, dossier: DossierRow, seq: number, now: number): Promise<{ cancelled: number; leftAnyway: number }> {
    const caused = (await listNotificationsForDossier(tx, dossier.id)).filter((n) => occurrenceOf(n.dedupe_key) === `e${seq}`);
    const unsent = caused.filter((n) => n.status === 'pending').map((n) => n.id);
    const cancelled = await cancelPendingByIds(tx, unsent, 'undone', now);
    const alreadyFinal = caused.filter((n) => n.status === 'failed' || n.status === 'cancelled').length;
    return { cancelled, leftAnyway: caused.length - cancelled - alreadyFinal };
  }

  async heldBy(db: DbHandle, dossierId: number, seq: number, now: number): Promise<HeldMessage[]> {
    return (await listNotificationsForDossier(db, dossierId))
      .filter((n) => n.status === 'pending' && n.send_after > now && occurrenceOf(n.dedupe_key) === `e${seq}`)
      .map((n) => ({ id: n.id, kind: n.kind, channel: n.channel, sendAfter: n.send_after }));
  }

  async list(db: DbHandle, dossierId: number): Promise<NotificationJson[]> {
    return (await listNotificationsForDossier(db, dossierId)).map(toNotificationJson);
  }

  /** One SMS row (failed at once with the reason when no SMS can reach the applicant), or an email
   *  row instead when there is an email; both when the agency asks for email as well. */
  rowsFor(message: PlannedMessage, dossier: DossierRow, agency: Agency, procedure: Procedure, now: number): NewNotification[] {
    const { settings } = agency;
    const vars = dossierVars(dossier, agency.name, procedure.name, now, this.config.lookup.shortCode, this.config.lookup.keyword);
    // The SMS text, also the body of a Zalo row (what its SMS fallback sends) and of an e-mail.
    const text = renderFor(message.template, settings.templates, vars) + this.privacyLinkFor(message.template, settings);
    const leaveAt = sendAfter(now, settings.holdSeconds, message.held, settings.quietHours);
    const key = `${dossier.receipt_code}|${message.kind}|${message.occurrence}`;
    const base = {
      dossier_id: dossier.id,
      agency_code: agency.code,
      kind: message.kind,
      attempts: 0,
      created_at: now,
      send_after: leaveAt,
      next_attempt_at: leaveAt,
      updated_at: now,
    };
    const rows: NewNotification[] = [];
    const email = dossier.email;
    const smsReachable = dossier.phone_problem === null && dossier.phone_e164 !== null;
    const zalo = smsReachable ? zaloPayloadFor(this.zalo, settings, message.kind, vars) : null;
    if (zalo) {
      // Zalo first: the full text is kept as the body (what an SMS fallback would say), the template goes as payload.
      rows.push({
        ...base,
        channel: 'zalo',
        dedupe_key: key,
        to_address: dossier.phone_e164,
        carrier: dossier.phone_carrier,
        sender: this.config.sms.brandname,
        body: text,
        encoding: 'text',
        segments: 0,
        cost_vnd: this.config.sms.zaloPriceVnd,
        status: 'pending',
        failure_reason: null,
        payload: JSON.stringify(zalo),
        sms_cost_vnd: prepareSms(text, settings.smsEncoding).segments * this.priceFor(dossier.phone_carrier),
      });
    } else if (smsReachable || !email) {
      const sms = prepareSms(text, settings.smsEncoding);
      rows.push({
        ...base,
        channel: 'sms',
        dedupe_key: key,
        to_address: dossier.phone_e164,
        carrier: dossier.phone_carrier,
        sender: this.config.sms.brandname,
        body: sms.body,
        encoding: sms.dataCoding,
        segments: sms.segments,
        cost_vnd: smsReachable ? sms.segments * this.priceFor(dossier.phone_carrier) : 0,
        status: smsReachable ? 'pending' : 'failed',
        failure_reason: smsReachable ? null : (PHONE_FAILURE[dossier.phone_problem ?? 'missing'] ?? 'invalid_phone'),
      });
    }
    if (email && (!smsReachable || settings.emailAlso)) {
      rows.push({
        ...base,
        channel: 'email',
        dedupe_key: smsReachable ? `${key}|email` : key,
        to_address: email,
        carrier: null,
        sender: this.config.sms.brandname,
        body: text,
        encoding: 'text',
        segments: 0,
        cost_vnd: 0,
        status: 'pending',
        failure_reason: null,
      });
    }
    return rows;
  }
}

export type { NotificationKind };
