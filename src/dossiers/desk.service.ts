/**
 * What the desk screens do to a dossier, always through `ctx.dossiers` (the API's transaction and
 * outbox path), plus the undo of a wrong action while its message is still held.
 */
import type { AppContext } from '../main/context.js';
import { assertCanWriteAgency, type Principal } from '../platform/principal.js';
import { conflict, notFound } from '../platform/errors.js';
import { findDossierByKey, listEvents, receiptKey, updateDossier, type DossierRow } from './dossier.repository.js';
import { DEFAULT_STEP_NAMES, TERMINAL_STATES, type DossierEventType, type DossierState } from './dossier.state-machine.js';
import type { EventInput, ReturnMethod } from './dossier.service.js';
import { listNotificationsForDossier, type NotificationRow } from '../messages/notification.repository.js';
import { formatVnIso } from '../lib/calendar/zone.js';

export interface HeldMessage {
  id: number;
  kind: string;
  channel: string;
  sendAfter: number;
}

export interface DossierSnapshot {
  state: string;
  step: string;
  dueAt: string;
  returnMethod: string;
}

export const snapshot = (row: DossierRow): DossierSnapshot => ({
  state: row.state,
  step: row.step,
  dueAt: formatVnIso(new Date(Number(row.due_at))),
  returnMethod: row.return_method,
});

/** The occurrence part of a dedupe key ("<code>|<kind>|e<seq>[|email]"). */
const occurrenceOf = (key: string) => key.split('|')[2] ?? '';

export async function loadDossier(ctx: AppContext, code: string): Promise<DossierRow> {
  const row = await findDossierByKey(ctx.db, receiptKey(code));
  if (!row) throw notFound(`hồ sơ mã "${code}"`);
  return row;
}

/** Messages created by the dossier's latest event that are still inside their hold (not yet leaving). */
export function heldByLastEvent(row: DossierRow, notifications: readonly NotificationRow[], now: number): HeldMessage[] {
  const occurrence = `e${Number(row.event_count)}`;
  return notifications
    .filter((n) => n.status === 'pending' && Number(n.send_after) > now && occurrenceOf(n.dedupe_key) === occurrence)
    .map((n) => ({ id: Number(n.id), kind: n.kind, channel: n.channel, sendAfter: Number(n.send_after) }));
}

interface Correction {
  events: EventInput[];
  restoreDueAt: number | null;
}

/** The transition that puts the dossier back where it was before its latest event, or null when there is none. */
async function correctionFor(ctx: AppContext, row: DossierRow): Promise<Correction | null> {
  const events = await listEvents(ctx.db, Number(row.id));
  const seq = Number(row.event_count);
  const last = events.find((e) => Number(e.seq) === seq);
  if (!last) return null;
  const previous = events.find((e) => Number(e.seq) === seq - 1);
  const prevState = (previous?.state_after ?? 'received') as DossierState;
  const prevStep = stepBefore(events, seq);
  const state = row.state as DossierState;
  if (TERMINAL_STATES.has(state) || prevState === state) return null;
  const dueBefore = previous ? Number(previous.due_at_after) : Number(last.due_at_after);
  const id = (n: number) => `undo-${seq}-${n}`;
  if (prevState === 'received' || prevState === 'in_progress') {
    return { events: [{ type: 'step', step: prevStep, eventId: id(0) }], restoreDueAt: dueBefore };
  }
  if (prevState === 'awaiting_supplement') return { events: [{ type: 'supplement_requested', eventId: id(0) }], restoreDueAt: dueBefore };
  if (prevState === 'result_ready') return { events: [{ type: 'result_ready', eventId: id(0) }], restoreDueAt: null };
  return null;
}

/** The step name the dossier had just before event `seq` (events that keep the step, such as due_changed, are skipped). */
function stepBefore(events: ReadonlyArray<{ seq: number; type: string; step: string | null }>, seq: number): string {
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i]!;
    if (Number(event.seq) >= seq) continue;
    if (event.type === 'step' && event.step) return event.step;
    if (event.type === 'supplement_received') return event.step ?? DEFAULT_STEP_NAMES.supplement_received;
  }
  return DEFAULT_STEP_NAMES.received;
}

export type UndoOutcome = { undone: true; cancelled: number; leftAnyway: number; before: DossierSnapshot; after: DossierSnapshot };

/**
 * Undoes the dossier's latest event while a message it created is still held: applies the
 * correcting transition (which cancels the held message in the same transaction) and restores the
 * due date the wrong action moved. `seq` is the event the person saw; anything newer refuses.
 */
export async function undoLastEvent(ctx: AppContext, principal: Principal, code: string, seq: number): Promise<UndoOutcome> {
  const row = await loadDossier(ctx, code);
  assertCanWriteAgency(principal, row.agency_code);
  const now = ctx.clock.now();
  if (Number(row.event_count) !== seq) {
    throw conflict('UNDO_STALE', 'Hồ sơ đã có thao tác mới hơn; không thể hoàn tác thao tác cũ.');
  }
  const held = heldByLastEvent(row, await listNotificationsForDossier(ctx.db, Number(row.id)), now);
  if (held.length === 0)
    throw conflict('UNDO_EXPIRED', 'Đã hết thời gian chờ: tin nhắn đã được gửi đi hoặc không còn chờ gửi, không thể hoàn tác.');
  const correction = await correctionFor(ctx, row);
  if (!correction) throw conflict('UNDO_IMPOSSIBLE', 'Thao tác này không thể hoàn tác.');
  const before = snapshot(row);
  for (const event of correction.events) await ctx.dossiers.applyEvent(principal, code, event);
  let after = await loadDossier(ctx, code);
  const state = after.state as DossierState;
  const canChangeDue = state === 'received' || state === 'in_progress' || state === 'awaiting_supplement';
  if (correction.restoreDueAt !== null && canChangeDue && Number(after.due_at) !== correction.restoreDueAt) {
    await ctx.dossiers.applyEvent(principal, code, {
      type: 'due_changed',
      dueAt: formatVnIso(new Date(correction.restoreDueAt)),
      eventId: `undo-${seq}-due`,
    });
    after = await loadDossier(ctx, code);
  }
  const rows = await listNotificationsForDossier(ctx.db, Number(row.id));
  const ids = new Set(held.map((h) => h.id));
  const mine = rows.filter((n) => ids.has(Number(n.id)));
  return {
    undone: true,
    cancelled: mine.filter((n) => n.status === 'cancelled').length,
    leftAnyway: mine.filter((n) => n.status !== 'cancelled').length,
    before,
    after: snapshot(after),
  };
}

export const DESK_ACTIONS = [
  'step',
  'supplement_requested',
  'supplement_received',
  'result_ready',
  'returned',
  'refused',
  'withdrawn',
] as const;
export type DeskAction = (typeof DESK_ACTIONS)[number];

export function isDeskAction(value: string): value is DeskAction {
  return (DESK_ACTIONS as readonly string[]).includes(value);
}

/** Which actions make sense in a state (the state machine has the final word). */
export function actionsFor(state: DossierState): DeskAction[] {
  switch (state) {
    case 'received':
    case 'in_progress':
      return ['step', 'supplement_requested', 'result_ready', 'refused', 'withdrawn'];
    case 'awaiting_supplement':
      return ['supplement_received', 'result_ready', 'refused', 'withdrawn'];
    case 'result_ready':
      return ['returned', 'supplement_requested'];
    default:
      return [];
  }
}

/**
 * Applies a desk action. `version` is the event count the person saw: a newer dossier refuses, so
 * two clerks never act on each other's stale screens. The result's return method is stored on the
 * dossier just before the event (the result message's wording depends on it), and put back if the
 * event is refused.
 */
export async function applyDeskAction(
  ctx: AppContext,
  principal: Principal,
  code: string,
  input: { action: DeskAction; version: number; step?: string; returnMethod?: ReturnMethod },
): Promise<{ before: DossierSnapshot; after: DossierSnapshot; held: HeldMessage[] }> {
  const row = await loadDossier(ctx, code);
  assertCanWriteAgency(principal, row.agency_code);
  if (Number(row.event_count) !== input.version) {
    throw conflict(
      'DOSSIER_CHANGED',
      'Hồ sơ vừa được cập nhật (bởi người khác hoặc phần mềm một cửa). Vui lòng xem lại trạng thái mới rồi thao tác lại.',
    );
  }
  const before = snapshot(row);
  const changeMethod = input.action === 'result_ready' && input.returnMethod !== undefined && input.returnMethod !== row.return_method;
  if (changeMethod) {
    await updateDossier(ctx.db, Number(row.id), { return_method: input.returnMethod! });
  }
  const type: DossierEventType = input.action;
  try {
    await ctx.dossiers.applyEvent(principal, code, {
      type,
      ...(input.action === 'step' ? { step: input.step ?? '' } : {}),
      eventId: `desk-${input.version + 1}-${input.action}`,
    });
  } catch (error) {
    if (changeMethod) await updateDossier(ctx.db, Number(row.id), { return_method: row.return_method });
    throw error;
  }
  const after = await loadDossier(ctx, code);
  const held = heldByLastEvent(after, await listNotificationsForDossier(ctx.db, Number(after.id)), ctx.clock.now());
  return { before, after: snapshot(after), held };
}
