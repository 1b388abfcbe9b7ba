import { createHash } from 'node:crypto';
import type { Db } from '../platform/db/database.js';
import { transaction } from '../platform/db/database.js';
import { AppError, badRequest, conflict, notFound } from '../platform/errors.js';
import type { Principal } from '../platform/principal.js';
import { assertCanReadAgency, assertCanWriteAgency } from '../platform/principal.js';
import type { AgencyService, Agency } from '../reference/agency.service.js';
import type { ProcedureService, Procedure } from '../reference/procedure.service.js';
import type { CalendarService } from '../reference/calendar.service.js';
import { judgeOnTime, resumeAfterSupplement, statusText } from '../lib/calendar/deadline.js';
import { formatVnIso } from '../lib/calendar/zone.js';
import { checkPhone, phoneProblemMessage, type PhoneProblem } from '../lib/phone/phone.js';
import type { Clock } from '../platform/clock.js';
import type { OutboxService } from '../messages/plan/outbox.service.js';
import { toNotificationJson, type NotificationJson } from '../messages/notification.view.js';
import { listNotificationsForDossier } from '../messages/notification.repository.js';
import { DEFAULT_STEP_NAMES, PORTAL_STATUS, transition, type DossierEventType, type DossierState } from './dossier.state-machine.js';
import {
  findDossierByKey,
  findEventById,
  insertDossierIfAbsent,
  insertEvent,
  listEvents,
  receiptKey,
  searchDossiers,
  updateDossier,
  type DossierRow,
} from './dossier.repository.js';

export type ReturnMethod = 'counter' | 'postal' | 'online';
export type SubmissionChannel = 'counter' | 'online' | 'postal';

export interface IntakeInput {
  receiptCode: string;
  agencyCode: string;
  procedureCode: string;
  applicant: { name: string; phone?: string | null; email?: string | null };
  receivedAt?: string;
  dueAt?: string;
  returnMethod?: ReturnMethod;
  submittedVia?: SubmissionChannel;
}

export interface EventInput {
  type: DossierEventType;
  step?: string;
  at?: string;
  eventId?: string;
  dueAt?: string;
  note?: string;
}

export interface DossierJson {
  receiptCode: string;
  agencyCode: string;
  procedureCode: string;
  state: DossierState;
  step: string;
  receivedAt: string;
  dueAt: string;
  onTime: boolean;
  statusText: string;
  returnMethod: ReturnMethod;
  portalStatus: number;
  phone: { input: string | null; e164: string | null; carrier: string | null; problem: PhoneProblem | null; message: string | null };
  applicant: { name: string; email: string | null };
}

export function toDossierJson(row: DossierRow, now: number): DossierJson {
  const onTime = judgeOnTime({
    dueAt: new Date(Number(row.due_at)),
    now: new Date(now),
    pausedAt: row.paused_at === null ? null : new Date(Number(row.paused_at)),
    finishedAt: row.finished_at === null ? null : new Date(Number(row.finished_at)),
  });
  const problem = row.phone_problem as PhoneProblem | null;
  return {
    receiptCode: row.receipt_code,
    agencyCode: row.agency_code,
    procedureCode: row.procedure_code,
    state: row.state as DossierState,
    step: row.step,
    receivedAt: formatVnIso(new Date(Number(row.received_at))),
    dueAt: formatVnIso(new Date(Number(row.due_at))),
    onTime,
    statusText: statusText(onTime),
    returnMethod: row.return_method,
    portalStatus: PORTAL_STATUS[row.state as DossierState],
    phone: {
      input: row.phone_input,
      e164: row.phone_e164,
      carrier: row.phone_carrier,
      problem,
      message: problem ? phoneProblemMessage(problem) : null,
    },
    applicant: { name: row.applicant_name, email: row.email },
  };
}

function parseInstant(value: string | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (!Number.isFinite(ms))
    throw badRequest('VALIDATION_FAILED', `${field}: thời điểm không hợp lệ "${value}" (ISO 8601 có múi giờ).`, { field });
  return ms;
}

function intakeHash(input: IntakeInput): string {
  const canonical = {
    receiptCode: receiptKey(input.receiptCode),
    agencyCode: input.agencyCode,
    procedureCode: input.procedureCode,
    name: input.applicant.name.normalize('NFC').trim(),
    phone: input.applicant.phone?.trim() || null,
    email: input.applicant.email?.trim().toLowerCase() || null,
    receivedAt: parseInstant(input.receivedAt, 'receivedAt') ?? null,
    dueAt: parseInstant(input.dueAt, 'dueAt') ?? null,
    returnMethod: input.returnMethod ?? 'counter',
    submittedVia: input.submittedVia ?? 'counter',
  };
  return createHash('sha256').update(JSON.stringify(canonical)).digest('base64url');
}

export interface DossierDetail {
  dossier: DossierJson;
  events: Array<{ seq: number; type: string; step: string | null; at: string; eventId: string | null; state: string; dueAt: string }>;
  notifications: NotificationJson[];
}

export class DossierService {
  constructor(
    private readonly db: Db,
    private readonly agencies: AgencyService,
    private readonly procedures: ProcedureService,
    private readonly calendars: CalendarService,
    private readonly outbox: OutboxService,
    private readonly clock: Clock,
  ) {}

  async intake(
    principal: Principal,
    input: IntakeInput,
  ): Promise<{ created: boolean; dossier: DossierJson; notifications: NotificationJson[] }> {
    assertCanWriteAgency(principal, input.agencyCode);
    const agency = await this.agencies.get(input.agencyCode);
    if (!agency) throw badRequest('UNKNOWN_AGENCY', `Không có cơ quan mã "${input.agencyCode}".`, { field: 'agencyCode' });
    const procedure = await this.procedures.get(input.procedureCode);
    if (!procedure) throw badRequest('UNKNOWN_PROCEDURE', `Không có thủ tục mã "${input.procedureCode}".`, { field: 'procedureCode' });
    if (procedure.agencyCode !== agency.code) {
      throw badRequest(
        'PROCEDURE_AGENCY_MISMATCH',
        `Thủ tục "${procedure.code}" thuộc cơ quan "${procedure.agencyCode}", không phải "${agency.code}".`,
        { field: 'procedureCode' },
      );
    }
    const now = this.clock.now();
    const hash = intakeHash(input);
    const receivedAt = parseInstant(input.receivedAt, 'receivedAt') ?? now;
    let dueAt = parseInstant(input.dueAt, 'dueAt');
    if (dueAt !== undefined && dueAt < receivedAt) {
      throw badRequest('VALIDATION_FAILED', 'dueAt: ngày hẹn trả không thể trước thời điểm tiếp nhận.', { field: 'dueAt' });
    }
    if (dueAt === undefined) {
      const calendar = await this.calendars.calendar(agency.settings.officeHours);
      dueAt = calendar.dueDate(new Date(receivedAt), procedure.processingDays, procedure.dayKind).getTime();
    }
    const phone = checkPhone(input.applicant.phone ?? null);
    const key = receiptKey(input.receiptCode);

    return transaction(this.db, async (tx) => {
      const row = await insertDossierIfAbsent(tx, {
        receipt_code: input.receiptCode.trim(),
        receipt_key: key,
        agency_code: agency.code,
        procedure_code: procedure.code,
        applicant_name: input.applicant.name.normalize('NFC').trim(),
        phone_input: phone.input,
        phone_e164: phone.e164,
        phone_carrier: phone.carrier,
        phone_problem: phone.problem,
        email: input.applicant.email?.trim() || null,
        return_method: input.returnMethod ?? 'counter',
        state: 'received',
        step: DEFAULT_STEP_NAMES.received,
        received_at: receivedAt,
        due_at: dueAt,
        paused_at: null,
        finished_at: null,
        returned_at: null,
        intake_hash: hash,
        event_count: 0,
        created_at: now,
        updated_at: now,
      });
      if (row === null) {
        const existing = await findDossierByKey(tx, key);
        if (!existing) throw new AppError('INTERNAL', 500, 'Dossier vanished during intake');
        if (existing.intake_hash !== hash) {
          throw conflict('DOSSIER_CONFLICT', `Mã số biên nhận "${input.receiptCode}" đã được dùng cho một hồ sơ khác nội dung.`, {
            field: 'receiptCode',
          });
        }
        return { created: false, dossier: toDossierJson(existing, now), notifications: [] };
      }
      const created = await this.outbox.onIntake(tx, {
        dossier: row,
        agency,
        procedure,
        submittedVia: input.submittedVia ?? 'counter',
        now,
      });
      return { created: true, dossier: toDossierJson(row, now), notifications: created.map(toNotificationJson) };
    });
  }

  async applyEvent(
    principal: Principal,
    code: string,
    input: EventInput,
  ): Promise<{ dossier: DossierJson; notifications: NotificationJson[] }> {
    const now = this.clock.now();
    const at = parseInstant(input.at, 'at') ?? now;
    const newDue = parseInstant(input.dueAt, 'dueAt');
    if (input.type === 'due_changed' && newDue === undefined) {
      throw badRequest('VALIDATION_FAILED', 'dueAt: sự kiện "due_changed" cần ngày hẹn trả mới.', { field: 'dueAt' });
    }
    const key = receiptKey(code);
    // Reference data is read before the transaction: it is cached, and keeps the transaction short.
    const peek = await findDossierByKey(this.db, key);
    if (!peek) throw notFound(`hồ sơ mã "${code}"`);
    assertCanWriteAgency(principal, peek.agency_code);
    const agency = await this.agencies.require(peek.agency_code);
    const procedure = await this.procedures.require(peek.procedure_code);
    const calendar = await this.calendars.calendar(agency.settings.officeHours);

    return transaction(this.db, async (tx) => {
      const before = (await findDossierByKey(tx, key, { forUpdate: true }))!;
      const id = Number(before.id);
      if (input.eventId !== undefined && (await findEventById(tx, id, input.eventId))) {
        return { dossier: toDossierJson(before, now), notifications: [] };
      }
      const result = transition(
        { state: before.state as DossierState, step: before.step },
        { type: input.type, step: input.step },
        { resultStepName: agency.settings.resultStepName, supplementStepName: DEFAULT_STEP_NAMES.awaiting_supplement },
      );
      if (!result.ok) throw conflict('TRANSITION_FORBIDDEN', result.reason, { state: before.state, type: input.type });
      if (result.noop) return { dossier: toDossierJson(before, now), notifications: [] };

      const after = this.nextClock(before, result.state, at, newDue, agency, procedure, calendar);
      const seq = Number(before.event_count) + 1;
      const changes = { ...after, state: result.state, step: result.step, event_count: seq, updated_at: now };
      await updateDossier(tx, id, changes);
      await insertEvent(tx, {
        dossier_id: id,
        seq,
        type: input.type,
        step: input.step ?? null,
        at,
        event_id: input.eventId ?? null,
        state_after: result.state,
        due_at_after: changes.due_at,
        payload: input.note ? JSON.stringify({ note: input.note }) : null,
        created_at: now,
      });
      const row: DossierRow = { ...before, ...changes };
      const created = await this.outbox.onTransition(tx, {
        dossier: row,
        beforeState: before.state as DossierState,
        eventType: input.type,
        seq,
        agency,
        procedure,
        now,
      });
      return { dossier: toDossierJson(row, now), notifications: created.map(toNotificationJson) };
    });
  }

  /** The clock columns after a transition: pause/restart on supplements, the finish time for on-time judgement. */
  private nextClock(
    before: DossierRow,
    state: DossierState,
    at: number,
    newDue: number | undefined,
    _agency: Agency,
    procedure: Procedure,
    calendar: Awaited<ReturnType<CalendarService['calendar']>>,
  ): { due_at: number; paused_at: number | null; finished_at: number | null; returned_at: number | null } {
    let dueAt = newDue ?? Number(before.due_at);
    let pausedAt = before.paused_at === null ? null : Number(before.paused_at);
    if (state === 'awaiting_supplement' && pausedAt === null) pausedAt = at;
    if (state !== 'awaiting_supplement' && pausedAt !== null) {
      dueAt = resumeAfterSupplement(calendar, {
        dueAt: new Date(dueAt),
        pausedAt: new Date(pausedAt),
        resumedAt: new Date(Math.max(at, pausedAt)),
        rule: procedure.supplementRule,
        processingDays: procedure.processingDays,
        dayKind: procedure.dayKind,
      }).getTime();
      pausedAt = null;
    }
    const finished = state === 'result_ready' || state === 'returned';
    const finishedAt = finished
      ? before.finished_at === null
        ? at
        : Number(before.finished_at)
      : state === 'refused' || state === 'withdrawn' || state === 'stopped'
        ? at
        : null;
    const returnedAt = state === 'returned' ? at : null;
    return { due_at: dueAt, paused_at: pausedAt, finished_at: finishedAt, returned_at: returnedAt };
  }

  async get(principal: Principal, code: string): Promise<DossierDetail> {
    const row = await findDossierByKey(this.db, receiptKey(code));
    if (!row) throw notFound(`hồ sơ mã "${code}"`);
    assertCanReadAgency(principal, row.agency_code);
    const now = this.clock.now();
    const [events, notifications] = await Promise.all([
      listEvents(this.db, Number(row.id)),
      listNotificationsForDossier(this.db, Number(row.id)),
    ]);
    return {
      dossier: toDossierJson(row, now),
      events: events.map((e) => ({
        seq: Number(e.seq),
        type: e.type,
        step: e.step,
        at: formatVnIso(new Date(Number(e.at))),
        eventId: e.event_id,
        state: e.state_after,
        dueAt: formatVnIso(new Date(Number(e.due_at_after))),
      })),
      notifications: notifications.map(toNotificationJson),
    };
  }

  async search(principal: Principal, agencyCode: string | null, query: { q?: string; state?: string; limit: number; beforeId?: number }) {
    if (agencyCode) assertCanReadAgency(principal, agencyCode);
    const now = this.clock.now();
    const rows = await searchDossiers(this.db, {
      agencyCode,
      state: query.state,
      query: query.q,
      limit: query.limit,
      beforeId: query.beforeId,
    });
    return rows.map((row) => toDossierJson(row, now));
  }
}
