/**
 * The data subject's rights (Law 91/2025/QH15): everything held about one phone number, and its erasure
 * (de-identification in place, as the retention job does, whatever its age). Both are audited, with the
 * number masked.
 */
import { sql } from 'kysely';
import type { Clock } from '../platform/clock.js';
import { type Db, transaction } from '../platform/db/database.js';
import { badRequest } from '../platform/errors.js';
import type { Principal } from '../platform/principal.js';
import { checkPhone, maskPhone } from '../lib/phone/phone.js';
import { vnIso } from '../lib/calendar/zone.js';
import type { AuditActor, AuditService } from '../accounts/audit.service.js';
import { FINAL_STATES, UNFINISHED_STATUSES, deidentifyDossiers, deidentifyInbound, deidentifyNotifications } from './retention.service.js';

export interface SubjectDossier {
  receiptCode: string;
  agencyCode: string;
  procedureCode: string;
  state: string;
  step: string;
  receivedAt: string;
  dueAt: string;
  finishedAt: string | null;
  returnedAt: string | null;
  name: string | null;
  phone: string | null;
  email: string | null;
  carrier: string | null;
  deidentifiedAt: string | null;
  eraseRequestedAt: string | null;
}

export interface SubjectNotification {
  id: number;
  receiptCode: string | null;
  agencyCode: string | null;
  kind: string;
  channel: string;
  to: string | null;
  status: string;
  createdAt: string;
  sentAt: string | null;
  deliveredAt: string | null;
  body: string | null;
}

export interface SubjectInbound {
  id: number;
  receivedAt: string;
  from: string | null;
  text: string | null;
  outcome: string;
  receiptCode: string | null;
  reply: string | null;
}

export interface SubjectExport {
  phone: string;
  dossiers: SubjectDossier[];
  notifications: SubjectNotification[];
  inbound: SubjectInbound[];
}

export interface EraseResult {
  phone: string;
  dossiers: number;
  notifications: number;
  inbound: number;
  statusCallbacks: number;
  cancelled: number;
  /** Open dossiers: their name and number stay until they close, then the retention job removes them. */
  keptOpen: Array<{ receiptCode: string; state: string }>;
  note: string | null;
}

/** Every form a number may be stored in: `+84…` as checked, and the text as given when it is not a number. */
function forms(input: string): { e164: string; all: string[] } {
  const phone = checkPhone(input);
  if (phone.e164 === null) throw badRequest('VALIDATION_FAILED', 'phone: số điện thoại không hợp lệ.', { field: 'phone' });
  const local = phone.e164.startsWith('+84') ? `0${phone.e164.slice(3)}` : phone.e164;
  return { e164: phone.e164, all: [...new Set([phone.e164, local, phone.e164.slice(1)])] };
}

export class DataSubjectService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /** Everything held about the number; an agency principal sees its own dossiers and their messages only. */
  async export(principal: Principal, input: string, actor: AuditActor, ip: string | null): Promise<SubjectExport> {
    const { e164, all } = forms(input);
    const agency = principal.role === 'agency' ? principal.agencyCode : null;
    let dossierQuery = this.db.kysely
      .selectFrom('dossiers')
      .selectAll()
      .where((eb) => eb.or([eb('phone_e164', '=', e164), eb('phone_input', 'in', all)]))
      .orderBy('id');
    if (agency !== null) dossierQuery = dossierQuery.where('agency_code', '=', agency);
    const dossiers = await dossierQuery.execute();

    let notificationQuery = this.db.kysely
      .selectFrom('notifications as n')
      .leftJoin('dossiers as d', 'd.id', 'n.dossier_id')
      .select([
        'n.id',
        'd.receipt_code',
        'n.agency_code',
        'n.kind',
        'n.channel',
        'n.to_address',
        'n.status',
        'n.created_at',
        'n.sent_at',
        'n.delivered_at',
        'n.body',
      ])
      .where((eb) =>
        eb.or([
          eb('n.to_address', 'in', all),
          // the e-mails of the same dossiers
          ...(dossiers.length > 0
            ? [
                eb(
                  'n.dossier_id',
                  'in',
                  dossiers.map((d) => d.id),
                ),
              ]
            : []),
        ]),
      )
      .orderBy('n.id');
    if (agency !== null) notificationQuery = notificationQuery.where('n.agency_code', '=', agency);
    const notifications = await notificationQuery.execute();

    let inboundQuery = this.db.kysely
      .selectFrom('inbound_messages as i')
      .leftJoin('dossiers as d', 'd.id', 'i.dossier_id')
      .select(['i.id', 'i.received_at', 'i.sender', 'i.text', 'i.outcome', 'd.receipt_code', 'i.parsed_code', 'i.reply'])
      .where((eb) => eb.or([eb('i.sender_e164', '=', e164), eb('i.sender', 'in', all)]))
      .orderBy('i.id');
    if (agency !== null) inboundQuery = inboundQuery.where('d.agency_code', '=', agency);
    const inbound = await inboundQuery.execute();

    await this.audit.record(actor, {
      action: 'privacy.export',
      entity: 'data-subject',
      entityId: maskPhone(e164),
      after: { dossiers: dossiers.length, notifications: notifications.length, inbound: inbound.length, agencyCode: agency },
      ip,
    });
    return {
      phone: e164,
      dossiers: dossiers.map((d) => ({
        receiptCode: d.receipt_code,
        agencyCode: d.agency_code,
        procedureCode: d.procedure_code,
        state: d.state,
        step: d.step,
        receivedAt: vnIso(d.received_at),
        dueAt: vnIso(d.due_at),
        finishedAt: vnIso(d.finished_at),
        returnedAt: vnIso(d.returned_at),
        name: d.applicant_name,
        phone: d.phone_e164 ?? d.phone_input,
        email: d.email,
        carrier: d.phone_carrier,
        deidentifiedAt: vnIso(d.deidentified_at),
        eraseRequestedAt: vnIso(d.erase_requested_at),
      })),
      notifications: notifications.map((n) => ({
        id: n.id,
        receiptCode: n.receipt_code ?? null,
        agencyCode: n.agency_code,
        kind: n.kind,
        channel: n.channel,
        to: n.to_address,
        status: n.status,
        createdAt: vnIso(n.created_at),
        sentAt: vnIso(n.sent_at),
        deliveredAt: vnIso(n.delivered_at),
        body: n.body,
      })),
      inbound: inbound.map((i) => ({
        id: i.id,
        receivedAt: vnIso(i.received_at),
        from: i.sender,
        text: i.text,
        outcome: i.outcome,
        receiptCode: i.receipt_code ?? i.parsed_code ?? null,
        reply: i.reply,
      })),
    };
  }

  /**
   * De-identifies everything about the number at once, in one transaction (one person's rows are few):
   * closed dossiers, every message that has left or been cancelled, MOs. Messages not sent yet are
   * cancelled first. Open dossiers keep name and number (the agency still has to reach the applicant)
   * and are marked: the retention job de-identifies them as soon as they close.
   */
  async erase(input: string, reason: string, actor: AuditActor, ip: string | null): Promise<EraseResult> {
    const { e164, all } = forms(input);
    const now = this.clock.now();
    const result = await transaction(this.db, async (tx) => {
      const cancelled = await tx.kysely
        .updateTable('notifications')
        .set({ status: 'cancelled', failure_reason: 'erased', updated_at: now })
        .where('to_address', 'in', all)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      const dossiers = await tx.kysely
        .selectFrom('dossiers')
        .select(['id', 'receipt_code', 'state'])
        .where((eb) => eb.or([eb('phone_e164', '=', e164), eb('phone_input', 'in', all)]))
        .where('deidentified_at', 'is', null)
        .orderBy('id')
        .execute();
      const closed = dossiers.filter((d) => FINAL_STATES.includes(d.state)).map((d) => d.id);
      const open = dossiers.filter((d) => !FINAL_STATES.includes(d.state));
      if (open.length > 0)
        await tx.kysely
          .updateTable('dossiers')
          .set({ erase_requested_at: now })
          .where(
            'id',
            'in',
            open.map((d) => d.id),
          )
          .execute();
      const messageIds = (
        await tx.kysely
          .selectFrom('notifications')
          .select('id')
          .where((eb) => eb.or([eb('to_address', 'in', all), ...(closed.length > 0 ? [eb('dossier_id', 'in', closed)] : [])]))
          .where(sql.ref('status'), 'not in', UNFINISHED_STATUSES)
          .where('deidentified_at', 'is', null)
          .execute()
      ).map((r) => r.id);
      const inboundIds = (
        await tx.kysely
          .selectFrom('inbound_messages')
          .select('id')
          .where((eb) => eb.or([eb('sender_e164', '=', e164), eb('sender', 'in', all)]))
          .where('deidentified_at', 'is', null)
          .execute()
      ).map((r) => r.id);
      const messages = await deidentifyNotifications(tx, messageIds, now);
      const outcome = {
        phone: e164,
        dossiers: await deidentifyDossiers(tx, closed, now),
        notifications: messages.notifications,
        inbound: await deidentifyInbound(tx, inboundIds, now),
        statusCallbacks: messages.callbacks,
        cancelled: Number(cancelled.numUpdatedRows),
        keptOpen: open.map((d) => ({ receiptCode: d.receipt_code, state: d.state })),
        note:
          open.length === 0
            ? null
            : 'Hồ sơ đang giải quyết giữ họ tên và số điện thoại đến khi kết thúc, sau đó được xoá định danh tự động. / Open dossiers keep the name and number until they close; they are de-identified automatically then.',
      };
      const { phone: _phone, keptOpen, note: _note, ...counts } = outcome;
      await this.audit.record(
        actor,
        {
          action: 'privacy.erase',
          entity: 'data-subject',
          entityId: maskPhone(e164),
          after: { reason, ...counts, keptOpen: keptOpen.map((d) => d.receiptCode) },
          ip,
        },
        tx,
      );
      return outcome;
    });
    return result;
  }
}
