import type { Db, DbHandle } from '../platform/db/database.js';
import { transaction } from '../platform/db/database.js';
import type { GroupedTransactions } from '../platform/db/group-commit.js';
import type { NotificationJson } from '../platform/http/schemas.js';
import { AppError, badRequest, conflict, notFound } from '../platform/errors.js';
import { matchesReceiptPrefix } from '../reference/agency.settings.js';
import type { Principal } from '../platform/principal.js';
import { assertCanWriteAgency } from '../platform/principal.js';
import type { AgencyService, Agency } from '../reference/agency.service.js';
import type { ProcedureService, Procedure } from '../reference/procedure.service.js';
import type { CalendarService } from '../reference/calendar.service.js';
import { resumeAfterSupplement } from '../lib/calendar/deadline.js';
import { checkPhone } from '../lib/phone/phone.js';
import type { Clock } from '../platform/clock.js';
import { searchFold } from '../lib/sms-text/fold.js';
import { DEFAULT_STEP_NAMES, transition, type DossierState } from './dossier.state-machine.js';
import {
  findDossierByKey,
  findDossierForEvent,
  findEvent,
  findEventById,
  insertDossierIfAbsent,
  insertEvent,
  receiptKey,
  updateDossier,
  type DossierRow,
} from './dossier.repository.js';
import { intakeHash, parseInstant, type EventInput, type EventOptions, type IntakeInput } from './dossier.input.js';
import { toDossierJson, type DossierJson } from './dossier.view.js';
import type { DossierMessages } from './dossier.messages.js';
import { columnsBefore, storedColumnsBefore } from './dossier.undo.js';

export interface EventOutcome {
  before: DossierJson;
  dossier: DossierJson;
  notifications: NotificationJson[];
}

export interface UndoOutcome {
  before: DossierJson;
  dossier: DossierJson;
  cancelled: number;
  leftAnyway: number;
}

export class DossierService {
  constructor(
    private readonly db: Db,
    /** Where intakes and events commit: in groups on SQLite (see GroupedTransactions). */
    private readonly writes: GroupedTransactions,
    private readonly agencies: AgencyService,
    private readonly procedures: ProcedureService,
    private readonly calendars: CalendarService,
    private readonly messages: DossierMessages,
    private readonly clock: Clock,
  ) {}

  async intake(
    principal: Principal,
    input: IntakeInput,
  ): Promise<{ created: boolean; dossier: DossierJson; notifications: NotificationJson[] }> {
    assertCanWriteAgency(principal, input.agencyCode);
    const agency = await this.agencies.get(input.agencyCode);
    if (!agency) throw badRequest('UNKNOWN_AGENCY', `Không có cơ quan mã "${input.agencyCode}".`, { field: 'agencyCode' });
    await this.assertReceiptCodeAllowed(principal, agency, input.receiptCode);
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
    const name = input.applicant.name.normalize('NFC').trim();

    return this.writes.run(async (tx) => {
      const row = await insertDossierIfAbsent(tx, {
        receipt_code: input.receiptCode.trim(),
        receipt_key: key,
        agency_code: agency.code,
        procedure_code: procedure.code,
        applicant_name: name,
        search_name: searchFold(name),
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
      const notifications = await this.messages.afterIntake(tx, {
        dossier: row,
        agency,
        procedure,
        submittedVia: input.submittedVia ?? 'counter',
        now,
      });
      return { created: true, dossier: toDossierJson(row, now), notifications };
    });
  }

  /**
   * Applies one event in one transaction: the dossier row (with the return method when given), the
   * event, and the messages it causes commit together or not at all. The transaction is decided on the
   * dossier as read before it (with whether `eventId` was applied already, one statement) and updates
   * the row only at that version; should the dossier have moved on meanwhile, or anything but the plain
   * case apply (a replay, a stale version, a refused or empty transition), it is decided again on the
   * row read inside the transaction.
   */
  async applyEvent(principal: Principal, code: string, input: EventInput, options: EventOptions = {}): Promise<EventOutcome> {
    const now = this.clock.now();
    const at = parseInstant(input.at, 'at') ?? now;
    const newDue = parseInstant(input.dueAt, 'dueAt');
    if (input.type === 'due_changed' && newDue === undefined) {
      throw badRequest('VALIDATION_FAILED', 'dueAt: sự kiện "due_changed" cần ngày hẹn trả mới.', { field: 'dueAt' });
    }
    const key = receiptKey(code);
    // Reference data is read before the transaction: it is cached, and keeps the transaction short.
    const peek = await findDossierForEvent(this.db, key, input.eventId);
    if (!peek) throw notFound(`hồ sơ mã "${code}"`);
    assertCanWriteAgency(principal, peek.dossier.agency_code);
    const agency = await this.agencies.require(peek.dossier.agency_code);
    const procedure = await this.procedures.require(peek.dossier.procedure_code);
    const calendar = await this.calendars.calendar(agency.settings.officeHours);
    const event: PlannedEvent = { input, options, at, newDue, now, agency, procedure, calendar };

    return this.writes.run(async (tx) => {
      if (!peek.eventSeen && (options.expectedVersion ?? peek.dossier.event_count) === peek.dossier.event_count) {
        const applied = await this.apply(tx, peek.dossier, event, true);
        if (applied !== null) return applied;
      }
      const before = (await findDossierByKey(tx, key, { forUpdate: true }))!;
      if (input.eventId !== undefined && (await findEventById(tx, before.id, input.eventId))) return unchanged(before, now);
      if (options.expectedVersion !== undefined && before.event_count !== options.expectedVersion) throw dossierChanged();
      return (await this.apply(tx, before, event, false))!;
    });
  }

  /**
   * The event on `before`: the dossier row, the event and its messages. `guarded`: `before` was read
   * outside the transaction, so nothing but the plain case is decided on it (null: decide again on the
   * current row) and the row is updated only at its version.
   */
  private async apply(tx: DbHandle, before: DossierRow, event: PlannedEvent, guarded: boolean): Promise<EventOutcome | null> {
    const { input, options, at, now, agency, procedure } = event;
    const result = transition(
      { state: before.state as DossierState, step: before.step },
      { type: input.type, step: input.step },
      { resultStepName: agency.settings.resultStepName, supplementStepName: DEFAULT_STEP_NAMES.awaiting_supplement },
    );
    if (guarded && (!result.ok || result.noop)) return null;
    if (!result.ok) throw conflict('TRANSITION_FORBIDDEN', result.reason, { state: before.state, type: input.type });
    if (result.noop) return unchanged(before, now);

    const clock = this.nextClock(before, result.state, at, event.newDue, procedure, event.calendar);
    const seq = before.event_count + 1;
    const changes = {
      ...clock,
      ...(options.returnMethod === undefined ? {} : { return_method: options.returnMethod }),
      state: result.state,
      step: result.step,
      event_count: seq,
      updated_at: now,
    };
    const row = await updateDossier(tx, before.id, changes, guarded ? before.event_count : undefined);
    if (!row) return null;
    await insertEvent(tx, {
      dossier_id: before.id,
      seq,
      type: input.type,
      step: input.step ?? null,
      at,
      event_id: input.eventId ?? null,
      state_after: result.state,
      due_at_after: changes.due_at,
      payload: JSON.stringify({ ...(input.note ? { note: input.note } : {}), before: columnsBefore(before) }),
      created_at: now,
    });
    const notifications = await this.messages.afterTransition(tx, {
      dossier: row,
      beforeState: before.state as DossierState,
      eventType: input.type,
      seq,
      agency,
      procedure,
      now,
    });
    return { before: toDossierJson(before, now), dossier: toDossierJson(row, now), notifications };
  }

  /**
   * Undoes the dossier's latest event while a message it created is still held, in one transaction:
   * the dossier goes back to exactly what it was before (state, step, due date, clock), the history
   * gets an "undo" entry, and the held messages are cancelled. `seq` is the event the person saw.
   */
  async undo(principal: Principal, code: string, seq: number): Promise<UndoOutcome> {
    const key = receiptKey(code);
    const peek = await findDossierByKey(this.db, key);
    if (!peek) throw notFound(`hồ sơ mã "${code}"`);
    assertCanWriteAgency(principal, peek.agency_code);
    const now = this.clock.now();
    return transaction(this.db, async (tx) => {
      const current = (await findDossierByKey(tx, key, { forUpdate: true }))!;
      const id = current.id;
      if (current.event_count !== seq) {
        throw conflict('UNDO_STALE', 'Hồ sơ đã có thao tác mới hơn; không thể hoàn tác thao tác cũ.');
      }
      if ((await this.messages.heldBy(tx, id, seq, now)).length === 0) {
        throw conflict('UNDO_EXPIRED', 'Đã hết thời gian chờ: tin nhắn đã được gửi đi hoặc không còn chờ gửi, không thể hoàn tác.');
      }
      const undone = await findEvent(tx, id, seq);
      const restore = undone ? storedColumnsBefore(undone.payload) : null;
      if (!undone || !restore || undone.type === 'undo') throw conflict('UNDO_IMPOSSIBLE', 'Thao tác này không thể hoàn tác.');
      const next = seq + 1;
      const changes = { ...restore, event_count: next, updated_at: now };
      await updateDossier(tx, id, changes);
      await insertEvent(tx, {
        dossier_id: id,
        seq: next,
        type: 'undo',
        step: restore.step,
        at: now,
        event_id: `undo-${seq}`,
        state_after: restore.state,
        due_at_after: restore.due_at,
        payload: JSON.stringify({ undoes: seq, before: columnsBefore(current) }),
        created_at: now,
      });
      const after: DossierRow = { ...current, ...changes };
      const { cancelled, leftAnyway } = await this.messages.afterUndo(tx, after, seq, now);
      return { before: toDossierJson(current, now), dossier: toDossierJson(after, now), cancelled, leftAnyway };
    });
  }

  /**
   * Receipt codes are unique across agencies, so an agency's codes carry its prefix: when the agency has
   * prefixes its intake must use one of them (400 RECEIPT_PREFIX_REQUIRED), and a code carrying another
   * agency's prefix belongs to that agency alone (403 RECEIPT_PREFIX_MISMATCH; admins may, to repair).
   */
  private async assertReceiptCodeAllowed(principal: Principal, agency: Agency, receiptCode: string): Promise<void> {
    const owner = await this.agencies.receiptCodeOwner(receiptCode);
    if (owner !== null && owner !== agency.code && principal.role !== 'admin') {
      throw new AppError(
        'RECEIPT_PREFIX_MISMATCH',
        403,
        `Mã số biên nhận "${receiptCode}" mang tiền tố của cơ quan khác; chỉ cơ quan đó được dùng.`,
        { field: 'receiptCode' },
      );
    }
    const prefixes = agency.settings.receiptPrefixes;
    if (prefixes.length > 0 && !prefixes.some((prefix) => matchesReceiptPrefix(receiptCode, prefix))) {
      throw badRequest(
        'RECEIPT_PREFIX_REQUIRED',
        `Mã số biên nhận của ${agency.name} phải bắt đầu bằng ${prefixes.map((p) => `"${p}-"`).join(' hoặc ')}.`,
        { field: 'receiptCode', prefixes: [...prefixes] },
      );
    }
  }

  /** The clock columns after a transition: pause/restart on supplements, the finish time for on-time judgement. */
  private nextClock(
    before: DossierRow,
    state: DossierState,
    at: number,
    newDue: number | undefined,
    procedure: Procedure,
    calendar: Awaited<ReturnType<CalendarService['calendar']>>,
  ): { due_at: number; paused_at: number | null; finished_at: number | null; returned_at: number | null } {
    let dueAt = newDue ?? before.due_at;
    let pausedAt = before.paused_at;
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
    const closed = state === 'refused' || state === 'withdrawn' || state === 'stopped';
    const finishedAt = finished ? (before.finished_at ?? at) : closed ? at : null;
    const returnedAt = state === 'returned' ? at : null;
    return { due_at: dueAt, paused_at: pausedAt, finished_at: finishedAt, returned_at: returnedAt };
  }
}

/** An event and what deciding it needs, read before its transaction. */
interface PlannedEvent {
  readonly input: EventInput;
  readonly options: EventOptions;
  readonly at: number;
  readonly newDue: number | undefined;
  readonly now: number;
  readonly agency: Agency;
  readonly procedure: Procedure;
  readonly calendar: Awaited<ReturnType<CalendarService['calendar']>>;
}

/** The outcome of an event that changes nothing (a replay of its eventId, or a transition to where it is). */
function unchanged(dossier: DossierRow, now: number): EventOutcome {
  const json = toDossierJson(dossier, now);
  return { before: json, dossier: json, notifications: [] };
}

function dossierChanged() {
  return conflict(
    'DOSSIER_CHANGED',
    'Hồ sơ vừa được cập nhật (bởi người khác hoặc phần mềm một cửa). Vui lòng xem lại trạng thái mới rồi thao tác lại.',
  );
}
